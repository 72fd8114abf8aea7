package io.tinyml.nas;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tinyml.nas.internal.FrontPlot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a {@link Search}: the Pareto front of fully trained candidates (accuracy vs latency vs
 * flash, sorted by latency) and every candidate seen. Immutable.
 *
 * @param front the non-dominated fully trained candidates, fastest first
 * @param candidates every candidate seen, rejected ones included, in the order first seen
 * @param outputDirectory the directory holding the models, the checkpoint and the written front
 * @param seconds wall time of the last {@link Search#run()} call
 */
public record SearchResult(List<Candidate> front, List<Candidate> candidates, Path outputDirectory, double seconds) {

    /**
     * Copies the lists.
     */
    public SearchResult {
        front = List.copyOf(front);
        candidates = List.copyOf(candidates);
    }

    /** @return candidates rejected by the estimator (never trained) */
    public long rejected() {
        return candidates.stream().filter(c -> !c.feasible()).count();
    }

    /** @return candidates trained at least with the proxy */
    public long trained() {
        return candidates.stream().filter(c -> !Double.isNaN(c.proxyAccuracy())).count();
    }

    /** @return the most accurate member of the front, or null if the front is empty */
    public Candidate best() {
        return front.stream().max((a, b) -> Double.compare(a.accuracy(), b.accuracy())).orElse(null);
    }

    /**
     * Returns the front as JSON: each point's key, architecture, estimated flash/RAM/latency/energy,
     * proxy and full int8 top-1 and its model file; plus counts of candidates seen, trained and rejected.
     *
     * @return the JSON text
     */
    public String toJson() {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("candidates", candidates.size());
        root.put("trained", trained());
        root.put("rejectedBeforeTraining", rejected());
        root.put("seconds", seconds);
        ArrayNode arr = root.putArray("front");
        for (Candidate c : front) {
            ObjectNode o = arr.addObject();
            o.put("key", c.key());
            o.set("architecture", m.valueToTree(c.architecture()));
            o.put("flashBytes", c.flashBytes());
            o.put("ramBytes", c.ramBytes());
            o.put("latencyMs", c.latencyMs());
            o.put("energyUj", c.energyUj());
            o.put("proxyAccuracy", c.proxyAccuracy());
            o.put("accuracy", c.accuracy());
            o.put("model", c.modelFile());
        }
        try {
            return m.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("expected the front to serialize, found: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code front.json} and {@code front.svg} (accuracy vs latency, point area proportional to
     * flash, each point linked to its model file) into the output directory.
     *
     * @return the two files
     * @throws IOException if they cannot be written
     */
    public List<Path> writeFront() throws IOException {
        Path json = outputDirectory.resolve("front.json");
        Path svg = outputDirectory.resolve("front.svg");
        Files.writeString(json, toJson(), StandardCharsets.UTF_8);
        Files.writeString(svg, FrontPlot.svg(front, candidates), StandardCharsets.UTF_8);
        return List.of(json, svg);
    }
}
