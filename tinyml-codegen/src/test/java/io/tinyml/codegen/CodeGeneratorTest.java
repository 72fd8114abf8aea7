package io.tinyml.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Structure of the generated files, refusal of unsupported operators and of non-empty directories. */
class CodeGeneratorTest {

    @Test
    void filesFollowTheOutputContract() throws Exception {
        Model m = ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        GeneratedProject p = CodeGenerator.generate(m, new CodegenOptions("kws", ProjectKind.MAKE));
        String h = p.files().get("kws_model.h");
        assertTrue(h.contains("#ifndef KWS_MODEL_H") && h.contains("extern \"C\"") && h.contains("#include <stdint.h>"));
        assertTrue(h.contains("int kws_invoke(const void *const inputs[], void *const outputs[]);"));
        assertTrue(h.contains("#define KWS_ARENA_BYTES " + p.arenaBytes() + "u"));
        assertTrue(h.contains("#define KWS_INPUT0_BYTES 490u") && h.contains("#define KWS_OUTPUT0_BYTES 12u"));
        String c = p.files().get("kws_model.c");
        assertEquals(13, c.split("static int kws_node").length - 1, "one static function per node");
        assertTrue(c.contains("static uint8_t kws_arena[" + p.arenaBytes() + "]"));
        assertTrue(!c.contains("malloc") && !c.contains("stdio"));
        // weights are const (flash): re-laid out per kernel (kws_nN_w) or as the tensors (kws_cN)
        assertTrue(p.files().get("kws_weights.c").contains("const int8_t kws_"));
        assertTrue(p.files().get("kws_weights.c").contains("Source: "));
        assertTrue(p.arenaBytes() < 22_772, "smaller arena than TFLM: " + p.arenaBytes());
        assertTrue(!p.files().get("kws_kernels.h").contains("tm_addsub_s8"), "only used kernels");
    }

    @Test
    void refusesUnsupportedOperatorNamingOpAndNode() throws Exception {
        Model m = ModelIO.read(Assets.require("models/tflite/kws_dscnn_hybrid.tflite"));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> CodeGenerator.generate(m, CodegenOptions.defaults()));
        assertTrue(e.getMessage().contains("CONV_2D"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + m.graph().node(0).name() + "'"), e.getMessage());
    }

    @Test
    void neverOverwritesNonEmptyDirectoryWithoutForce(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("keep.txt"), "mine");
        Model m = ModelIO.read(Assets.require("models/tflite/hello_world_int8.tflite"));
        GeneratedProject p = CodeGenerator.generate(m, CodegenOptions.defaults());
        assertThrows(IOException.class, () -> p.writeTo(dir, false));
        assertTrue(!Files.exists(dir.resolve("tinyml_model.c")));
        p.writeTo(dir, true);
        assertTrue(Files.exists(dir.resolve("tinyml_model.c")));
        assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
    }

    @Test
    void rejectsBadPrefix() {
        assertThrows(IllegalArgumentException.class, () -> new CodegenOptions("1bad", ProjectKind.MAKE));
    }
}
