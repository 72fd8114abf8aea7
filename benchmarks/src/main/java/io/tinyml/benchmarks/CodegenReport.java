package io.tinyml.benchmarks;

import io.tinyml.codegen.report.FirmwareMeasurement;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints, per int8 model of the shared assets (and tiny_digits and mnist8 quantized to int16x8 by
 * tinyml-quantize), the generated firmware's size and instructions per inference on QEMU mps2-an386
 * next to the estimator's {@code generated} prediction. Usage:
 * {@code CodegenReport ASSETS_DIR WORK_DIR}. Needs make, arm-none-eabi-gcc, gcc and qemu-system-arm.
 */
public final class CodegenReport {
    private CodegenReport() {
    }

    /**
     * Runs the report.
     *
     * @param args the assets directory and an empty (or missing) work directory
     * @throws Exception if a model cannot be generated or built
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CodegenReport ASSETS_DIR WORK_DIR");
            System.exit(2);
        }
        Path assets = Path.of(args[0]);
        Path work = Path.of(args[1]);
        String[][] models = {
            {"kws", "models/tflite/kws_dscnn_int8.tflite", "reference/kws/input.bin"},
            {"person", "models/tflite/person_detect/person_detect.tflite", "reference/person/input.bin"},
            {"hello_world_int8", "models/tflite/hello_world_int8.tflite", null},
            {"micro_speech", "models/tflite/micro_speech_quantized.tflite", null},
            {"network_tester", "models/tflite/network_tester/network_model.tflite",
                "models/tflite/network_tester/input_data.bin"},
        };
        List<FirmwareMeasurement> rows = new ArrayList<>();
        for (String[] m : models) {
            Model model = ModelIO.read(assets.resolve(m[1]));
            byte[] in;
            if (m[2] != null) {
                in = Files.readAllBytes(assets.resolve(m[2]));
            } else {
                in = new byte[model.graph().inputTensor(0).byteSize()];
                for (int i = 0; i < in.length; i++) {
                    in[i] = (byte) ((i * 97 + 13) % 256);
                }
            }
            rows.add(FirmwareMeasurement.measure(m[0], model, in, work.resolve(m[0])));
        }
        // int16x8 rows: calibrated on 100 mnist10k images, run on the byte pattern (any int16 input is valid)
        io.tinyml.core.data.Dataset mnist = io.tinyml.core.data.Datasets.open(assets.resolve("datasets/mnist10k")
                + "[0:100]");
        Model td16 = io.tinyml.quantize.Quantizer.of(ModelIO.read(assets.resolve("models/pytorch/tiny_digits.onnx")))
                .int16x8().calibrate(mnist, 100).inputScale(1f / 255).apply();
        Model mn16 = io.tinyml.quantize.Quantizer.of(ModelIO.read(assets.resolve("models/onnx/mnist8/model.onnx")))
                .int16x8().calibrate(mnist, 100).apply();
        for (Model model : List.of(td16, mn16)) {
            String name = model == td16 ? "tiny_digits_int16x8" : "mnist8_int16x8";
            byte[] in = new byte[model.graph().inputTensor(0).byteSize()];
            for (int i = 0; i < in.length; i++) {
                in[i] = (byte) ((i * 97 + 13) % 256);
            }
            rows.add(FirmwareMeasurement.measure(name, model, in, work.resolve(name)));
        }
        System.out.println("| model | text | data | bss | est. flash | flash err | est. RAM | RAM err | instructions"
                + " | est. instructions | insn err | vs TFLM ref -O2 | vs TFLM CMSIS-NN -O2 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (FirmwareMeasurement r : rows) {
            // TFLM instructions per Invoke() at -O2 from reference/README.md (measured for kws and person only)
            long ref = r.model().equals("kws") ? 43_107_034L : r.model().equals("person") ? 95_896_765L : 0;
            long cmsis = r.model().equals("kws") ? 7_696_241L : r.model().equals("person") ? 22_927_968L : 0;
            System.out.println(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %+.1f %% | %d | %+.1f %% | %d | %d"
                    + " | %+.1f %% | %s | %s |", r.model(), r.text(), r.data(), r.bss(), r.estFlash(),
                    pct(r.estFlash(), r.flash()), r.estRam(), pct(r.estRam(), r.ram()), r.instructions(),
                    r.estInstructions(), pct(r.estInstructions(), r.instructions()), ratio(r.instructions(), ref),
                    ratio(r.instructions(), cmsis)));
        }
    }

    private static String ratio(long ours, long tflm) {
        return tflm == 0 ? "not measured" : String.format(Locale.ROOT, "%.3fx", (double) ours / tflm);
    }

    private static double pct(long est, long measured) {
        return 100.0 * (est - measured) / measured;
    }
}
