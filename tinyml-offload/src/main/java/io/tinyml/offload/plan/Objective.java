package io.tinyml.offload.plan;

/**
 * What the planner minimises: end-to-end latency, device energy, or a weighted mix of both, each
 * divided by its device-only value so that the weights compare like with like. Immutable.
 *
 * @param latencyWeight weight of latency / device-only latency
 * @param energyWeight weight of device energy / device-only energy
 */
public record Objective(double latencyWeight, double energyWeight) {
    /**
     * Validates the weights.
     *
     * @throws IllegalArgumentException if a weight is negative or both are zero
     */
    public Objective {
        if (!(latencyWeight >= 0) || !(energyWeight >= 0) || latencyWeight + energyWeight == 0) {
            throw new IllegalArgumentException("expected weights >= 0, not both zero, found latency " + latencyWeight
                    + ", energy " + energyWeight);
        }
    }

    /** @return minimise end-to-end latency */
    public static Objective latency() {
        return new Objective(1, 0);
    }

    /** @return minimise device energy */
    public static Objective energy() {
        return new Objective(0, 1);
    }

    /**
     * Parses "latency", "energy" or "weighted:W" (W = latency weight in [0, 1], energy gets 1 - W).
     *
     * @param s the text
     * @return the objective
     * @throws IllegalArgumentException if the text is none of these
     */
    public static Objective parse(String s) {
        if (s.equalsIgnoreCase("latency")) {
            return latency();
        }
        if (s.equalsIgnoreCase("energy")) {
            return energy();
        }
        if (s.toLowerCase(java.util.Locale.ROOT).startsWith("weighted:")) {
            try {
                double w = Double.parseDouble(s.substring(9));
                if (w >= 0 && w <= 1) {
                    return new Objective(w, 1 - w);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("expected objective latency, energy or weighted:W with W in [0, 1], found '"
                + s + "'");
    }

    /**
     * The value to minimise.
     *
     * @param latencyMs a candidate's latency
     * @param energyUj a candidate's device energy
     * @param deviceOnlyMs the device-only latency (the scale of latency; 1 is used when it is 0)
     * @param deviceOnlyUj the device-only energy (the scale of energy; 1 is used when it is 0)
     * @return the cost
     */
    public double cost(double latencyMs, double energyUj, double deviceOnlyMs, double deviceOnlyUj) {
        double l = latencyWeight == 0 ? 0 : latencyWeight * latencyMs / (deviceOnlyMs > 0 ? deviceOnlyMs : 1);
        double e = energyWeight == 0 ? 0 : energyWeight * energyUj / (deviceOnlyUj > 0 ? deviceOnlyUj : 1);
        return l + e;
    }

    @Override
    public String toString() {
        if (energyWeight == 0) {
            return "latency";
        }
        if (latencyWeight == 0) {
            return "energy";
        }
        return "weighted:" + latencyWeight / (latencyWeight + energyWeight);
    }
}
