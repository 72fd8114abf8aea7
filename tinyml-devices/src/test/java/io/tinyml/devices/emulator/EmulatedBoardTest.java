package io.tinyml.devices.emulator;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.DeviceException;
import io.tinyml.devices.harness.DeviceIdentity;
import io.tinyml.devices.harness.HarnessOptions;
import io.tinyml.devices.harness.InferenceResult;
import io.tinyml.devices.testing.TestTools;
import io.tinyml.quantize.Quantizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on the emulated Cortex-M4: {@code codegen --harness mlperf-tiny} firmware under QEMU
 * mps2-an386, driven over its UART (TCP) by the same client as a real board; the interpreter is the oracle.
 */
class EmulatedBoardTest {
    private static final HarnessOptions OPTIONS = HarnessOptions.defaults();

    private static byte[] codes(Model m, float[] results) {
        QuantParams q = m.graph().outputTensor(0).requireQuant();
        byte[] b = new byte[results.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (Math.round(results[i] / q.scale()) + q.zeroPoint());
        }
        return b;
    }

    @Test
    void kwsOnTheBoardEqualsTheInterpreterWithTheBoardsOwnLatency(@TempDir Path dir) throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        byte[] input0 = Files.readAllBytes(Assets.require("models/tflite/kws_dscnn_input0_int8.bin"));
        Path elf = TestTools.harnessFirmware(kws, dir);
        Interpreter ref = Interpreter.create(kws);
        byte[] random = new byte[input0.length];
        new Random(42).nextBytes(random);
        try (EmulatedBoard board = EmulatedBoard.start(elf, "mps2-an386", java.time.Duration.ofSeconds(10));
             DeviceClient c = DeviceClient.connect(board.connect(), OPTIONS)) {
            DeviceIdentity id = c.identify();
            assertEquals("dut", id.name());
            assertEquals("tinyml", id.vendor());
            assertEquals("tinyml", id.model());
            for (byte[] in : List.of(input0, random)) {
                c.load(in);
                InferenceResult r = c.infer(5, 1);
                assertArrayEquals(ref.invoke(in.clone())[0], codes(kws, r.results()));
                assertTrue(r.endMicros() > r.startMicros(), r.toString());
                System.out.printf("kws on QEMU mps2-an386: %.1f us per inference (board SysTick), results %s%n",
                        r.microsPerInference(), java.util.Arrays.toString(r.results()));
            }
            assertEquals(0, c.resends());
        }
    }

    @Test
    void ourFirmwareStoresNothingOfARejectedChunkAndRefusesAnOversizedInput(@TempDir Path dir) throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        Path elf = TestTools.harnessFirmware(kws, dir);
        try (EmulatedBoard board = EmulatedBoard.start(elf, "mps2-an386", java.time.Duration.ofSeconds(10));
             DeviceClient c = DeviceClient.connect(board.connect(), OPTIONS)) {
            c.command("db load 4", OPTIONS.commandTimeout());
            assertThrows(DeviceException.class, () -> c.command("db 0a0", OPTIONS.commandTimeout()));
            assertThrows(DeviceException.class, () -> c.command("db 0a0bzz", OPTIONS.commandTimeout()));
            assertEquals(List.of(), c.command("db 0a0b", OPTIONS.commandTimeout()));
            assertEquals(List.of("m-load-done"), c.command("db 0c0d", OPTIONS.commandTimeout()));
            assertArrayEquals(new byte[] {10, 11, 12, 13}, c.readBuffer());
            DeviceException e = assertThrows(DeviceException.class, () -> c.load(new byte[491]));
            assertEquals(board.address() + " cannot take 491 input bytes: e-[db load 491 exceeds the model input"
                    + " of 490 bytes]", e.getMessage());
            DeviceException notLoaded = assertThrows(DeviceException.class, () -> c.infer(1, 0));
            assertTrue(notLoaded.getMessage().contains("e-[Expected 490 input bytes loaded with db, found 4]"),
                    notLoaded.getMessage());
        }
    }

    @Test
    void aBoardKilledMidTransferIsOneClearLine(@TempDir Path dir) throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        Path elf = TestTools.harnessFirmware(kws, dir);
        try (EmulatedBoard board = EmulatedBoard.start(elf, "mps2-an386", java.time.Duration.ofSeconds(10));
             DeviceClient c = DeviceClient.connect(board.connect(), OPTIONS)) {
            DeviceException e = assertThrows(DeviceException.class, () -> c.load(new byte[490], (task, done, total) -> {
                if (done == 160) {
                    board.kill();
                }
            }));
            assertEquals(board.address() + " closed the line (board reset, unplugged or killed?)", e.getMessage());
            assertFalse(board.isAlive());
        }
    }

    @Test
    void thirtyDigitsOnTheBoardHaveTheInterpretersTop1(@TempDir Path dir) throws Exception {
        String mnist = Assets.require("datasets/mnist10k").toString();
        Model f = ModelIO.read(Assets.require("models/onnx/mnist8/model.onnx"));
        Model q = Quantizer.of(f).int8().calibrate(Datasets.open(mnist + "[0:8000]"), 100).apply();
        Dataset slice = Datasets.open(mnist + "[8000:8100]");
        Path elf = TestTools.harnessFirmware(q, dir);
        Interpreter ref = Interpreter.create(q);
        InputMapping map = InputMapping.builder().setInput(q.graph().inputTensor(0)).build();
        int boardCorrect = 0;
        int refCorrect = 0;
        try (EmulatedBoard board = EmulatedBoard.start(elf, "mps2-an386", java.time.Duration.ofSeconds(10));
             DeviceClient c = DeviceClient.connect(board.connect(), OPTIONS.withVerifyLoad(false))) {
            for (int i = 0; i < 30; i++) {
                byte[] in = map.toInputBytes(slice.get(i));
                c.load(in);
                InferenceResult r = c.infer(1, 0);
                byte[] expected = ref.invoke(in.clone())[0];
                assertArrayEquals(expected, codes(q, r.results()), "sample " + i);
                boardCorrect += r.top1() == slice.label(i) ? 1 : 0;
                refCorrect += argmax(expected) == slice.label(i) ? 1 : 0;
            }
        }
        System.out.printf("mnist8 int8 on QEMU mps2-an386 over the harness: top-1 %d/30, interpreter %d/30%n",
                boardCorrect, refCorrect);
        assertEquals(refCorrect, boardCorrect);
        assertTrue(boardCorrect >= 28, "top-1 " + boardCorrect);
    }

    private static int argmax(byte[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
