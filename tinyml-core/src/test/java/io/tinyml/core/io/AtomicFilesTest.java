package io.tinyml.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AtomicFilesTest {

    @Test
    void replacesAFileAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.bin");
        Files.write(f, new byte[] {1, 2, 3});
        AtomicFiles.write(f, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    /** /proc accepts no new files: the failure names the file asked for and why, not the temporary file. */
    @Test
    void aDirectoryThatRefusesNewFilesIsNamedWithTheReason() {
        Path proc = Path.of("/proc");
        assumeTrue(Files.isDirectory(proc.resolve("self")), "a Linux /proc");
        Path target = proc.resolve("model.tflite");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(target, new byte[1]));
        assertEquals(target.toString(), e.getFile());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
        assertTrue(e.getReason().startsWith("cannot create a file in /proc ("), e.getReason());
    }
}
