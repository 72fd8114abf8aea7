package io.tinyml.core.io;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ModelIOTest {
    private static final String KWS = "models/tflite/kws_dscnn_int8.tflite";

    @Test
    void readsTfliteByContentWhateverTheExtension(@TempDir Path dir) throws Exception {
        Path src = Assets.require(KWS);
        Model direct = ModelIO.read(src);
        assertEquals(Shape.of(1, 49, 10, 1), direct.graph().inputTensor(0).shape());
        Path renamed = Files.copy(src, dir.resolve("model.bin"));
        assertEquals(direct.graph(), ModelIO.read(renamed).graph());
        assertEquals(Optional.of(ModelFormat.TFLITE), ModelFormat.detect(Files.readAllBytes(renamed), renamed));
    }

    @Test
    void writesByExtensionAndReadsBack(@TempDir Path dir) throws Exception {
        Model m = ModelIO.read(Assets.require(KWS));
        Path out = dir.resolve("copy.TFLITE");
        ModelIO.write(m, out);
        assertEquals(m.graph(), ModelIO.read(out).graph());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelIO.write(m, dir.resolve("copy.txt")));
        assertTrue(e.getMessage().matches("expected a file name ending in one of \\[\\.tflite.*\\], found 'copy.txt'"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelIO.write(m, dir.resolve("copy.h5")));
        assertTrue(e.getMessage().contains("is read, not written"), e.getMessage());
    }

    @Test
    void unknownContentNamesTheFileAndWhatWasExpected(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.bin"), "hello world");
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> ModelIO.read(text));
        assertTrue(e.getMessage().startsWith("cannot read '" + text + "': expected a TFLite flatbuffer (identifier TFL3)"
                + " or ONNX model"), e.getMessage());
        assertTrue(e.getMessage().endsWith(", found bytes 68 65 6c 6c 6f 20 77 6f (\"hello wo\")"), e.getMessage());
        Path zip = Files.write(dir.resolve("m.pt"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        e = assertThrows(MalformedModelException.class, () -> ModelIO.read(zip));
        assertTrue(e.getMessage().contains("found a ZIP archive"), e.getMessage());
        Path h5 = Files.write(dir.resolve("m.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
        assertThrows(MalformedModelException.class, () -> ModelIO.read(h5), "a truncated HDF5 file is malformed");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        e = assertThrows(MalformedModelException.class, () -> ModelIO.read(empty));
        assertTrue(e.getMessage().endsWith("found an empty file"), e.getMessage());
    }

    @Test
    void aTfliteExtensionWithoutTheIdentifierIsMalformed(@TempDir Path dir) throws Exception {
        Path fake = Files.writeString(dir.resolve("fake.tflite"), "not a flatbuffer at all");
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> ModelIO.read(fake));
        assertTrue(e.getMessage().contains("expected file identifier 'TFL3' at offset 4, found 'a fl'"), e.getMessage());
    }

    @Test
    void missingFilesAreIOExceptions(@TempDir Path dir) {
        assertThrows(NoSuchFileException.class, () -> ModelIO.read(dir.resolve("absent.tflite")));
    }
}
