package io.tinyml.core.ir;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A model: a {@link Graph}, free-form metadata and its {@link Provenance}. Immutable; every
 * transformation returns a new model. Thread-safe.
 *
 * <pre>{@code
 * Model m = Model.of(graph, Provenance.builtInCode("sine regressor sample"));
 * Model folded = m.withGraph(newGraph, new AppliedPass("fold-batchnorm", Map.of()));
 * }</pre>
 */
public final class Model {
    private final Graph graph;
    private final Map<String, String> metadata;
    private final Provenance provenance;

    private Model(Graph graph, Map<String, String> metadata, Provenance provenance) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.metadata = Map.copyOf(metadata);
        this.provenance = Objects.requireNonNull(provenance, "provenance");
    }

    /**
     * Creates a model without metadata.
     *
     * @param graph the graph
     * @param provenance where it came from
     * @return the model
     */
    public static Model of(Graph graph, Provenance provenance) {
        return new Model(graph, Map.of(), provenance);
    }

    /**
     * Creates a model.
     *
     * @param graph the graph
     * @param metadata free-form string metadata (e.g. a description); copied
     * @param provenance where it came from
     * @return the model
     */
    public static Model of(Graph graph, Map<String, String> metadata, Provenance provenance) {
        return new Model(graph, metadata, provenance);
    }

    /** @return the graph */
    public Graph graph() {
        return graph;
    }

    /** @return the metadata, unmodifiable */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return the provenance */
    public Provenance provenance() {
        return provenance;
    }

    /**
     * Returns a model with a transformed graph, recording the transformation.
     *
     * @param newGraph the new graph
     * @param step the transformation, appended to the provenance
     * @return the new model
     */
    public Model withGraph(Graph newGraph, AppliedPass step) {
        return new Model(newGraph, metadata, provenance.withPass(step));
    }

    /**
     * Returns a model with one metadata entry added or replaced.
     *
     * @param key the key
     * @param value the value
     * @return the new model
     */
    public Model withMetadata(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.put(key, value);
        return new Model(graph, m, provenance);
    }

    @Override
    public String toString() {
        return "Model{" + graph.nodes().size() + " nodes, " + graph.tensors().size() + " tensors, source="
                + provenance.source() + "}";
    }
}
