package io.tinyml.codegen.internal;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of the MLPerf Tiny harness firmware ({@code codegen --harness mlperf-tiny}): the protocol
 * main, the board port for QEMU's MPS2 boards and its documented interface, and {@code harness.mk}.
 */
public final class MlperfHarness {
    private MlperfHarness() {
    }

    /**
     * Returns the harness files.
     *
     * @param prefix the C prefix
     * @param e the emitter of the model sources
     * @return file contents by relative path
     * @throws IllegalArgumentException if an output's element type has no harness encoding
     */
    public static Map<String, String> files(String prefix, ModelEmitter e) {
        Graph g = e.graph();
        List<String> inBytes = new ArrayList<>();
        long inTotal = 0;
        for (int i = 0; i < g.inputs().size(); i++) {
            inBytes.add(g.inputTensor(i).byteSize() + "u");
            inTotal += g.inputTensor(i).byteSize();
        }
        List<String> outBytes = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> scales = new ArrayList<>();
        List<String> zeros = new ArrayList<>();
        for (int i = 0; i < g.outputs().size(); i++) {
            Tensor t = g.outputTensor(i);
            outBytes.add(t.byteSize() + "u");
            types.add(Integer.toString(typeCode(t)));
            Optional<QuantParams> q = t.quant().filter(x -> t.type() != DataType.FLOAT32);
            scales.add((q.isPresent() ? Float.toString(q.get().scale()) : "1.0") + "f");
            zeros.add(Integer.toString(q.map(QuantParams::zeroPoint).orElse(0)));
        }
        Map<String, String> f = new LinkedHashMap<>();
        String main = KernelSources.project("harness/mlperf_main.c").replace("@P@", prefix)
                .replace("@IN_TOTAL@", Long.toString(Math.max(1, inTotal)))
                .replace("@NI@", Integer.toString(g.inputs().size()))
                .replace("@NO@", Integer.toString(g.outputs().size()))
                .replace("@IN_BYTES@", String.join(", ", inBytes)).replace("@OUT_BYTES@", String.join(", ", outBytes))
                .replace("@OUT_TYPES@", String.join(", ", types)).replace("@OUT_SCALES@", String.join(", ", scales))
                .replace("@OUT_ZEROS@", String.join(", ", zeros));
        f.put("harness/mlperf_main.c", main);
        f.put("harness/th_port.h", KernelSources.project("harness/th_port.h"));
        f.put("harness/th_port_mps2.c", KernelSources.project("harness/th_port_mps2.c"));
        f.put("harness/th_port_posix.c", KernelSources.project("harness/th_port_posix.c"));
        f.put("harness.mk", KernelSources.project("harness/harness.mk").replace("@P@", prefix));
        return f;
    }

    private static int typeCode(Tensor t) {
        return switch (t.type()) {
            case INT8 -> 0;
            case UINT8 -> 1;
            case INT16 -> 2;
            case INT32 -> 3;
            case FLOAT32 -> 4;
            default -> throw new IllegalArgumentException("expected an int8, uint8, int16, int32 or float32 output"
                    + " for the MLPerf Tiny harness, found " + t.type() + " in " + t.name());
        };
    }
}
