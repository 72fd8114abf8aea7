package io.tinyml.devices.transport;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import io.tinyml.devices.emulator.EmulatedBoard;
import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.DeviceException;
import io.tinyml.devices.harness.HarnessOptions;
import io.tinyml.devices.testing.TestTools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jSerialComm on a real pty: QEMU's {@code -serial pty} board, as a USB serial adapter would appear. */
class SerialTransportTest {
    @Test
    void aPtyBoardAnswersAndItsDeathIsDetected(@TempDir Path dir) throws Exception {
        Model kws = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        Path elf = TestTools.harnessFirmware(kws, dir);
        try (EmulatedBoard board = EmulatedBoard.startOnPty(elf, "mps2-an386", Duration.ofSeconds(10));
             DeviceClient c = DeviceClient.connect(board.connect(), HarnessOptions.defaults())) {
            assertTrue(board.address().startsWith("/dev/"), board.address());
            assertEquals("tinyml", c.identify().model());
            IOException busy = assertThrows(IOException.class, () -> SerialTransport.open(board.address(), 115200,
                    SerialTransport.Parity.NONE));
            assertTrue(busy.getMessage().startsWith("cannot open serial port " + board.address() + ": port busy"),
                    busy.getMessage());
            board.kill();
            DeviceException e = assertThrows(DeviceException.class, () -> c.readLine(Duration.ofSeconds(5)));
            assertEquals(board.address() + " closed the line (board reset, unplugged or killed?)", e.getMessage());
        }
    }

    @Test
    void aMissingPortIsOneLine() {
        IOException e = assertThrows(IOException.class, () -> SerialTransport.open("/dev/tinyml-no-such-port", 115200,
                SerialTransport.Parity.NONE));
        assertTrue(e.getMessage().startsWith("cannot open serial port /dev/tinyml-no-such-port: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SerialTransport.Parity.parse("mark"));
    }

    @Test
    void aPortWithoutPermissionIsOneLine(@TempDir Path dir) throws Exception {
        Path f = java.nio.file.Files.createFile(dir.resolve("ttyFAKE"));
        java.nio.file.Files.setPosixFilePermissions(f, java.util.Set.of());
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root opens any file");
        IOException e = assertThrows(IOException.class, () -> SerialTransport.open(f.toString(), 115200,
                SerialTransport.Parity.NONE));
        assertEquals("cannot open serial port " + f + ": permission denied (add yourself to the dialout group)",
                e.getMessage());
    }
}
