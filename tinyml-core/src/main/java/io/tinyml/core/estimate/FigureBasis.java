package io.tinyml.core.estimate;

/**
 * Where a figure of an estimate comes from, as every report labels it. Thread-safe (an enum).
 */
public enum FigureBasis {
    /** Read from a real run: the firmware's size tool or instructions counted under QEMU. */
    MEASURED,
    /**
     * From a cost model whose coefficients were fitted to measurements of this target (or, for an
     * emulated board, of the very quantity estimated) and that reproduces them within its stated error.
     */
    CALIBRATED,
    /**
     * From a cost model carried beyond the measurements it was fitted to: another board, clock, core or
     * instruction set than the calibration's, or a figure whose coefficients are provisional.
     */
    EXTRAPOLATED;

    /** @return the lower-case label used in reports, e.g. "calibrated" */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
