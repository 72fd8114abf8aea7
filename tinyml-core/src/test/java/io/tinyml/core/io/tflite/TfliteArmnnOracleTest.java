package io.tinyml.core.io.tflite;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An independent consumer of our TFLite files: Arm NN's TFLite parser (Debian packages
 * {@code python3-pyarmnn} and {@code libarmnn-cpuref-backend22}), whose loader runs the flatbuffers
 * verifier over the schema. Rewritten models must load and compute the same bytes as the originals
 * on its reference CPU backend; skipped when Arm NN is not installed.
 */
class TfliteArmnnOracleTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** Runs each model on a seeded input (or the given input file) and prints name=hex-of-output. */
    private static final String SCRIPT = """
            import sys, numpy as np, pyarmnn as ann
            def run(path, input_file):
                parser = ann.ITfLiteParser()
                net = parser.CreateNetworkFromBinaryFile(path)
                rt = ann.IRuntime(ann.CreationOptions())
                opt, _ = ann.Optimize(net, [ann.BackendId('CpuRef')], rt.GetDeviceSpec(), ann.OptimizerOptions())
                nid, _ = rt.LoadNetwork(opt)
                ib = parser.GetNetworkInputBindingInfo(0, parser.GetSubgraphInputTensorNames(0)[0])
                ti = ib[1]
                shape = tuple(ti.GetShape()[i] for i in range(ti.GetNumDimensions()))
                dt = {ann.DataType_Float32: np.float32, ann.DataType_QAsymmS8: np.int8,
                      ann.DataType_QAsymmU8: np.uint8}[ti.GetDataType()]
                if input_file != '-':
                    x = np.fromfile(input_file, dtype=dt).reshape(shape)
                elif dt == np.float32:
                    x = np.random.default_rng(42).standard_normal(shape).astype(np.float32)
                else:
                    x = np.random.default_rng(42).integers(-128, 127, size=shape).astype(dt)
                obs = [parser.GetNetworkOutputBindingInfo(0, o) for o in parser.GetSubgraphOutputTensorNames(0)]
                ot = ann.make_output_tensors(obs)
                rt.EnqueueWorkload(nid, ann.make_input_tensors([ib], [x]), ot)
                return ann.workload_tensors_to_ndarray(ot)[0]
            args = sys.argv[1:]
            for i in range(0, len(args), 3):
                try:
                    print(args[i] + '=' + run(args[i + 1], args[i + 2]).tobytes().hex(), flush=True)
                except Exception as e:
                    print(args[i] + '=ERROR ' + str(e).replace('\\n', ' '), flush=True)
            """;

    private static boolean armnnAvailable() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import pyarmnn").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, String> runArmnn(Path dir, List<String> args) throws Exception {
        Path script = Files.writeString(dir.resolve("armnn_run.py"), SCRIPT);
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "Arm NN run timed out");
        Map<String, String> results = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                results.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return results;
    }

    @Test
    void rewrittenModelsComputeWhatTheOriginalsCompute(@TempDir Path dir) throws Exception {
        if ("true".equals(System.getenv("CI"))) {
            // .ci/run installs Arm NN: in CI a missing oracle is a failure, not a skip
            org.junit.jupiter.api.Assertions.assertTrue(armnnAvailable(), "Arm NN (python3-pyarmnn) not installed");
        }
        Assumptions.assumeTrue(armnnAvailable(), "Arm NN (python3-pyarmnn) not installed");
        // Arm NN 22 cannot run the hybrid model (int8 weights, float activations) on CpuRef, and
        // refuses the original person_detect (bias quantized_dimension 3, which our reader repairs).
        List<String> comparable = List.of("models/tflite/hello_world_float.tflite",
                "models/tflite/hello_world_int8.tflite", "models/tflite/network_tester/network_model.tflite",
                "models/tflite/micro_speech_quantized.tflite", "models/tflite/kws_dscnn_int8.tflite",
                "models/tflite/ic_resnet8_float.tflite");
        List<String> args = new ArrayList<>();
        for (int i = 0; i < comparable.size(); i++) {
            Path original = Assets.require(comparable.get(i));
            Path rewritten = dir.resolve("m" + i + ".tflite");
            TfliteWriter.write(TfliteReader.read(original), rewritten);
            args.addAll(List.of("orig" + i, original.toString(), "-", "rewr" + i, rewritten.toString(), "-"));
        }
        Path kws = dir.resolve("kws.tflite");
        TfliteWriter.write(TfliteReader.read(Assets.require("models/tflite/kws_dscnn_int8.tflite")), kws);
        Path person = dir.resolve("person.tflite");
        TfliteWriter.write(TfliteReader.read(Assets.require("models/tflite/person_detect/person_detect.tflite")), person);
        args.addAll(List.of("kws", kws.toString(), Assets.require("reference/kws/input.bin").toString(),
                "person", person.toString(), Assets.require("reference/person/input.bin").toString()));

        Map<String, String> r = runArmnn(dir, args);
        for (int i = 0; i < comparable.size(); i++) {
            String o = r.get("orig" + i);
            assertNotNull(o, "no Arm NN result for " + comparable.get(i) + ": " + r);
            assertFalse(o.startsWith("ERROR"), comparable.get(i) + ": " + o);
            assertEquals(o, r.get("rewr" + i), comparable.get(i) + ": rewritten model computes other bytes");
        }
        // TFLite Micro's bytes for the reference input (reference/README.md): kws bit-exact.
        assertEquals("8080808080808080807f8080", r.get("kws"));
        // person: Arm NN's int8 requantization differs from TFLM's by an LSB or two; TFLM gives ab55.
        String p = r.get("person");
        assertEquals(4, p.length(), "person: " + p);
        assertEquals((byte) 0xab, (byte) Integer.parseInt(p.substring(0, 2), 16), 2);
        assertEquals((byte) 0x55, (byte) Integer.parseInt(p.substring(2, 4), 16), 2);
        System.out.println("Arm NN oracle: " + comparable.size() + " rewritten models compute the original bytes; "
                + "kws " + r.get("kws") + " (TFLM 8080808080808080807f8080), person " + p + " (TFLM ab55)");
    }
}
