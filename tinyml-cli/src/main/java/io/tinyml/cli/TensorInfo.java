package io.tinyml.cli;

import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Renders tensors for text and JSON output. */
final class TensorInfo {
    private TensorInfo() {
    }

    static String text(Tensor t) {
        StringBuilder sb = new StringBuilder(t.name()).append(' ').append(t.type()).append(' ').append(t.shape());
        t.quant().ifPresent(q -> {
            if (q.isPerTensor()) {
                sb.append(" scale=").append(q.scale()).append(" zero_point=").append(q.zeroPoint());
            } else {
                sb.append(" per-axis(").append(q.axis()).append(", ").append(q.size()).append(" scales)");
            }
        });
        return sb.toString();
    }

    static Map<String, Object> json(Tensor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("type", t.type().name());
        m.put("shape", t.shape().toArray());
        m.put("bytes", t.byteSize());
        m.put("constant", t.isConstant());
        t.quant().ifPresent(q -> m.put("quantization", quant(q)));
        return m;
    }

    private static Map<String, Object> quant(QuantParams q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("axis", q.axis());
        m.put("scales", q.scales());
        m.put("zeroPoints", q.zeroPoints());
        return m;
    }
}
