package io.tinyml.core.runtime;

/**
 * Watches an {@link Interpreter} run: called after each node, in execution order, on the thread
 * that invoked the interpreter.
 *
 * <pre>{@code
 * Interpreter it = Interpreter.create(model, e -> log.info("{} {} ns", e.node(), e.nanos()));
 * }</pre>
 */
@FunctionalInterface
public interface NodeObserver {
    /**
     * Receives one node's completion. The event and the values it exposes are valid only during
     * this call; copy what must be kept ({@link NodeEvent#outputBytes(int)} already copies).
     *
     * @param event the node, its timing and access to its outputs
     */
    void afterNode(NodeEvent event);
}
