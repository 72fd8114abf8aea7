package io.tinyml.devices.harness;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.devices.transport.TcpTransport;
import io.tinyml.devices.transport.Transports;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a protocol peer written from the public MLPerf Tiny description (see {@link HarnessPeer}):
 * results equal the interpreter's, and every line fault ends in a load that succeeds or one clear line.
 */
class DeviceClientTest {
    private static final HarnessOptions FAST = HarnessOptions.defaults().withCommandTimeout(Duration.ofMillis(400))
            .withInferTimeout(Duration.ofSeconds(20)).withRetries(2);
    private static Model kws;
    private static byte[] input;

    @BeforeAll
    static void load() throws Exception {
        kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        input = Files.readAllBytes(Assets.require("models/tflite/kws_dscnn_input0_int8.bin"));
    }

    private static DeviceClient client(HarnessPeer peer) throws IOException {
        return DeviceClient.connect(TcpTransport.connect("127.0.0.1", peer.port(), Duration.ofSeconds(5)), FAST);
    }

    /** The board's dequantized results mapped back to the int8 codes they came from. */
    private static byte[] codes(float[] results) {
        QuantParams q = kws.graph().outputTensor(0).requireQuant();
        byte[] b = new byte[results.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (Math.round(results[i] / q.scale()) + q.zeroPoint());
        }
        return b;
    }

    @Test
    void identifiesLoadsAndInfersLikeTheInterpreter() throws Exception {
        byte[] expected = Interpreter.create(kws).invoke(input.clone())[0];
        try (HarnessPeer peer = new HarnessPeer(kws); DeviceClient c = client(peer)) {
            DeviceIdentity id = c.identify();
            assertEquals("dut", id.name());
            assertEquals("peer", id.vendor());
            assertEquals("protocol peer", id.profile());
            long t = c.timestampMicros();
            assertTrue(c.timestampMicros() > t);
            c.load(input);
            assertArrayEquals(input, c.readBuffer());
            InferenceResult r = c.infer(3, 1);
            assertArrayEquals(expected, codes(r.results()));
            assertEquals(250.0, r.microsPerInference(), 1e-9);
            assertArrayEquals(r.results(), c.results());
            assertEquals(0, c.resends());
            assertEquals((input.length + 31) / 32, peer.chunks.get());
        }
    }

    @Test
    void aDroppedDigitInAChunkIsResentAndTheLoadCompletes() throws Exception {
        try (HarnessPeer peer = new HarnessPeer(kws); DeviceClient c = client(peer)) {
            peer.dropDigitInChunk = 3;
            c.load(input);
            assertEquals(1, c.resends());
            assertEquals((input.length + 31) / 32 + 1, peer.chunks.get());
            assertArrayEquals(input, c.readBuffer());
        }
    }

    @Test
    void anInvalidDigitAfterPartlyStoredBytesRestartsTheLoad() throws Exception {
        try (HarnessPeer peer = new HarnessPeer(kws); DeviceClient c = client(peer)) {
            // 'z' in the second byte of a chunk: the first byte is stored before the error, so the re-sent
            // chunk lands one byte late, the acknowledgements go out of step and the load starts over
            peer.invalidDigitInChunk = 2;
            byte[] data = new byte[input.length];
            new Random(7).nextBytes(data);
            c.load(data);
            assertTrue(c.resends() >= 1);
            assertArrayEquals(data, c.readBuffer());
        }
    }

    @Test
    void aFlippedButValidDigitIsCaughtByTheReadBack() throws Exception {
        try (HarnessPeer peer = new HarnessPeer(kws); DeviceClient c = client(peer)) {
            peer.flipDigitInChunk = 5;
            c.load(input);
            assertEquals(1, c.resends());
            assertEquals(2 * ((input.length + 31) / 32), peer.chunks.get());
            assertArrayEquals(input, c.readBuffer());
        }
    }

    @Test
    void noReplyIsATimeoutWithOneLineAfterTheRetries() throws Exception {
        try (HarnessPeer peer = new HarnessPeer(kws); DeviceClient c = client(peer)) {
            peer.silentOn = "results";
            int before = peer.commands.get();
            DeviceTimeoutException e = assertThrows(DeviceTimeoutException.class, c::results);
            assertEquals("tcp:127.0.0.1:" + peer.port() + ": no answer to 'results%' within 400 ms", e.getMessage());
            // the first try and two retries, each retry preceded by a bare '%' to resynchronise
            assertEquals(before + 5, peer.commands.get());
            assertEquals(2, c.resends());
        }
    }

    @Test
    void aPeerKilledMidTransferIsOneClearLine() throws Exception {
        try (HarnessPeer peer = new HarnessPeer(kws); DeviceClient c = client(peer)) {
            peer.dieAtChunk = 4;
            DeviceException e = assertThrows(DeviceException.class, () -> c.load(input));
            assertTrue(e.getMessage().startsWith("tcp:127.0.0.1:" + peer.port() + " closed the line"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertFalse(c.transport().isOpen());
        }
    }

    @Test
    void anInputLargerThanTheBoardsBufferIsRefused() throws Exception {
        try (HarnessPeer peer = new HarnessPeer(kws); DeviceClient c = client(peer)) {
            DeviceException e = assertThrows(DeviceException.class, () -> c.load(new byte[input.length + 1]));
            assertEquals("tcp:127.0.0.1:" + peer.port() + " cannot take 491 input bytes: Supplied buffer size 491"
                    + " exceeds maximum of 490", e.getMessage());
        }
    }

    @Test
    void aSilentPeerFailsTheConnectWithinTheTimeout() throws Exception {
        try (ServerSocket mute = new ServerSocket(0)) {
            Thread accept = new Thread(() -> {
                try {
                    mute.accept();
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            accept.setDaemon(true);
            accept.start();
            DeviceTimeoutException e = assertThrows(DeviceTimeoutException.class, () -> DeviceClient.connect(
                    Transports.open("tcp:127.0.0.1:" + mute.getLocalPort(), 115200, Duration.ofSeconds(2)), FAST));
            assertTrue(e.getMessage().contains("no answer to 'name%' within 400 ms"), e.getMessage());
        }
    }

    @Test
    void nobodyListeningIsOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        IOException e = assertThrows(IOException.class, () -> Transports.open("tcp:127.0.0.1:" + port, 115200,
                Duration.ofSeconds(2)));
        assertTrue(e.getMessage().startsWith("cannot connect to tcp:127.0.0.1:" + port), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Transports.open("tcp:host", 115200, Duration.ofSeconds(1)));
    }
}
