package io.tinyml.devices.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceRegistryTest {
    @Test
    void addListGetRemoveRoundTrip(@TempDir Path dir) throws Exception {
        DeviceRegistry r = DeviceRegistry.at(dir.resolve("devices"));
        assertEquals(List.of(), r.list());
        DeviceRecord a = new DeviceRecord("nucleo", "/dev/ttyACM0", 115200, "stm32");
        DeviceRecord b = new DeviceRecord("emu-m4", "tcp:127.0.0.1:4000", 115200, "qemu \"an386\"");
        r.add(a, false);
        r.add(b, false);
        assertEquals(List.of(b, a), r.list());
        assertEquals(Optional.of(b), r.get("emu-m4"));
        assertEquals(Optional.empty(), r.get("../etc/passwd"));
        assertThrows(FileAlreadyExistsException.class, () -> r.add(a, false));
        DeviceRecord a2 = new DeviceRecord("nucleo", "/dev/ttyACM1", 921600, "stm32");
        r.add(a2, true);
        assertEquals(Optional.of(a2), r.get("nucleo"));
        r.remove("nucleo");
        assertEquals(List.of(b), r.list());
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> r.remove("nucleo"));
        assertEquals("no device named nucleo is registered", e.getReason());
    }

    @Test
    void theHomePropertyChoosesTheDirectory(@TempDir Path dir) {
        String old = System.getProperty(DeviceRegistry.HOME_PROPERTY);
        System.setProperty(DeviceRegistry.HOME_PROPERTY, dir.toString());
        try {
            assertEquals(dir.resolve("devices"), DeviceRegistry.open().directory());
        } finally {
            if (old == null) {
                System.clearProperty(DeviceRegistry.HOME_PROPERTY);
            } else {
                System.setProperty(DeviceRegistry.HOME_PROPERTY, old);
            }
        }
    }

    @Test
    void badNamesAndBadFilesAreOneLine(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new DeviceRecord("a/b", "tcp:x:1", 115200, ""));
        assertThrows(IllegalArgumentException.class, () -> new DeviceRecord("ok", "tcp:x:1", 0, ""));
        DeviceRegistry r = DeviceRegistry.at(dir);
        Files.writeString(dir.resolve("broken.json"), "{\"name\": \"broken\", \"baud\": ");
        IOException e = assertThrows(IOException.class, r::list);
        assertTrue(e.getMessage().startsWith("malformed device file " + dir.resolve("broken.json")), e.getMessage());
        Files.writeString(dir.resolve("broken.json"), "{\"version\": 9, \"name\": \"broken\", \"address\": \"tcp:x:1\","
                + " \"baud\": 1, \"board\": \"\"}");
        IOException v = assertThrows(IOException.class, () -> r.get("broken"));
        assertTrue(v.getMessage().contains("format version 9, newer than 1"), v.getMessage());
    }
}
