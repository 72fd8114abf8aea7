package io.tinyml.prune;

import java.util.List;

/**
 * What a pruning changed: channels per group, multiply-accumulates and weight bytes before and
 * after. Immutable.
 *
 * @param layers per channel group, in graph order (fixed groups omitted)
 * @param macsBefore multiply-accumulates per inference before
 * @param macsAfter multiply-accumulates per inference after
 * @param weightBytesBefore bytes of constant tensors before
 * @param weightBytesAfter bytes of constant tensors after
 * @param refitLayers how many layers least-squares recovery refitted
 */
public record PruneReport(List<LayerChange> layers, long macsBefore, long macsAfter, long weightBytesBefore,
                          long weightBytesAfter, int refitLayers) {
    /** Copies the list. */
    public PruneReport {
        layers = List.copyOf(layers);
    }

    /** @return a human-readable table */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (LayerChange c : layers) {
            sb.append(String.format("%-40s %5d -> %5d channels%n", c.layer(), c.before(), c.after()));
        }
        sb.append(String.format("MACs %d -> %d (%.1f %%), weight bytes %d -> %d (%.1f %%), %d layers refitted%n",
                macsBefore, macsAfter, 100.0 * macsAfter / Math.max(1, macsBefore), weightBytesBefore,
                weightBytesAfter, 100.0 * weightBytesAfter / Math.max(1, weightBytesBefore), refitLayers));
        return sb.toString();
    }
}
