package io.tinyml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.tinyml.train.internal.IrBlock;
import io.tinyml.train.internal.ParamSlot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exponential moving average of a network's trained parameters, in its own native memory scope.
 * Not thread-safe; close it (idempotent).
 */
final class WeightAverage implements AutoCloseable {
    private final List<Parameter> params = new ArrayList<>();
    private final NDManager mgr;
    private final float decay;
    private NDArray[] avg;

    WeightAverage(IrBlock block, double decay) {
        for (ParamSlot s : block.slots().values()) {
            if (s.parameter().requiresGradient()) {
                params.add(s.parameter());
            }
        }
        this.decay = (float) decay;
        this.mgr = params.isEmpty() ? null : params.get(0).getArray().getManager().newSubManager();
    }

    /** Folds the parameters' current values into the average (the first call copies them). */
    void update() {
        if (mgr == null) {
            return;
        }
        if (avg == null) {
            avg = new NDArray[params.size()];
            for (int i = 0; i < avg.length; i++) {
                avg[i] = mgr.create(params.get(i).getArray().toFloatArray(), params.get(i).getArray().getShape());
            }
            return;
        }
        for (int i = 0; i < avg.length; i++) {
            try (NDArray w = params.get(i).getArray().stopGradient(); NDArray t = w.mul(1f - decay)) {
                avg[i].muli(decay).addi(t);
            }
        }
    }

    /** The averaged values by parameter (PyTorch layout); empty before the first update. */
    Map<Parameter, float[]> values() {
        Map<Parameter, float[]> out = new LinkedHashMap<>();
        if (avg != null) {
            for (int i = 0; i < avg.length; i++) {
                out.put(params.get(i), avg[i].toFloatArray());
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (mgr != null) {
            mgr.close();
        }
    }
}
