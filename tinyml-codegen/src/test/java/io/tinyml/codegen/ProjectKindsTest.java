package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The arduino, espidf, platformio and tflm layouts. */
class ProjectKindsTest {
    private static Model kws() throws Exception {
        return ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
    }

    @Test
    void parsesProjectNames() {
        assertEquals(ProjectKind.ESPIDF, ProjectKind.parse("EspIdf"));
        assertThrows(IllegalArgumentException.class, () -> ProjectKind.parse("cmake"));
    }

    @Test
    void platformioProjectBuildsAndRunsOnTheHost(@TempDir Path dir) throws Exception {
        Toolchain.require("gcc");
        Model m = kws();
        CodeGenerator.generate(m, new CodegenOptions("kws", ProjectKind.PLATFORMIO)).writeTo(dir, false);
        assertTrue(Files.readString(dir.resolve("platformio.ini")).contains("[env:native]"));
        Toolchain.run(dir, List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-Ilib/kws", "-o", "demo",
                "src/main.c", "lib/kws/kws_model.c", "lib/kws/kws_weights.c"));
        String out = Toolchain.run(dir, List.of("./demo"));
        // the demo runs on the arena's initial (zero) input
        byte[] expected = Interpreter.create(m).invoke(new byte[490])[0];
        String[] lines = out.trim().split("\n");
        assertEquals(expected.length, lines.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] & 0xff, Integer.parseInt(lines[i].trim()), "output " + i);
        }
    }

    @Test
    void arduinoAndEspidfLayouts(@TempDir Path dir) throws Exception {
        Toolchain.require("gcc");
        Model m = kws();
        GeneratedProject a = CodeGenerator.generate(m, new CodegenOptions("kws", ProjectKind.ARDUINO));
        assertTrue(a.files().containsKey("src/kws_model.c") && a.files().containsKey("library.properties"));
        assertTrue(a.files().get("examples/kws_demo/kws_demo.ino").contains("kws_invoke(inputs, outputs)"));
        GeneratedProject e = CodeGenerator.generate(m, new CodegenOptions("kws", ProjectKind.ESPIDF));
        assertTrue(e.files().get("CMakeLists.txt").contains("idf_component_register(SRCS \"kws_model.c\""));
        e.writeTo(dir, false);
        Toolchain.run(dir, List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-c", "kws_model.c",
                "kws_weights.c"));
    }

    @Test
    void tflmProjectHoldsTheModelAndRegistersItsOperators() throws Exception {
        Model m = kws();
        GeneratedProject t = CodeGenerator.generate(m, new CodegenOptions("kws", ProjectKind.TFLM));
        byte[] bytes = TfliteWriter.write(m);
        String data = t.files().get("kws_model_data.cc");
        assertTrue(data.contains("kws_model_data_len = " + bytes.length + ";"));
        assertTrue(data.contains("alignas(16) const unsigned char kws_model_data[]"));
        String[] hex = data.substring(data.indexOf('{') + 1, data.indexOf("};")).trim().split(",");
        byte[] back = new byte[bytes.length];
        for (int i = 0; i < back.length; i++) {
            back[i] = (byte) Integer.parseInt(hex[i].trim().substring(2), 16);
        }
        assertArrayEquals(bytes, back);
        String h = t.files().get("kws_tflm.cc");
        for (String op : new String[] {"AddConv2D", "AddDepthwiseConv2D", "AddAveragePool2D", "AddReshape",
            "AddFullyConnected", "AddSoftmax"}) {
            assertTrue(h.contains("resolver." + op + "();"), op);
        }
        assertTrue(h.contains("MicroMutableOpResolver<6>"));
    }
}
