package io.tinyml.core.io.tflite;

import io.tinyml.core.ir.Model;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

class TfliteRoundTripTest {
    @Test
    void readWriteReadGivesEqualGraphsAndStableBytes() throws Exception {
        for (String rel : SharedModels.ALL) {
            byte[] original = Files.readAllBytes(SharedModels.path(rel));
            Model first = TfliteReader.read(original, rel);
            byte[] written = TfliteWriter.write(first);
            assertEquals("TFL3", new String(written, 4, 4, StandardCharsets.US_ASCII), rel);
            Model second = TfliteReader.read(written, rel + " (rewritten)");
            assertEquals(first.graph(), second.graph(), rel);
            assertEquals(first.metadata(), second.metadata(), rel);
            byte[] again = TfliteWriter.write(second);
            assertArrayEquals(written, again, rel + ": second write differs");
            System.out.println(rel + ": " + original.length + " bytes read, " + written.length + " bytes written");
        }
    }
}
