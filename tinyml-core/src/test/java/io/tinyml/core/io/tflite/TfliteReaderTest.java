package io.tinyml.core.io.tflite;

import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class TfliteReaderTest {
    @Test
    void everySharedModelReads() throws Exception {
        for (String rel : SharedModels.ALL) {
            Model m = TfliteReader.read(SharedModels.path(rel));
            Map<String, Integer> ops = new TreeMap<>();
            for (Node n : m.graph().nodes()) {
                ops.merge(n.op().kind().toString(), 1, Integer::sum);
            }
            System.out.println(rel + ": " + m.graph().nodes().size() + " nodes, ops " + ops + ", in "
                    + m.graph().inputTensor(0) + ", out " + m.graph().outputTensor(0) + ", meta " + m.metadata());
            assertFalse(m.graph().nodes().isEmpty());
        }
    }
}
