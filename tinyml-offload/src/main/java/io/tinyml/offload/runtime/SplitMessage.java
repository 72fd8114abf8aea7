package io.tinyml.offload.runtime;

import java.util.List;
import java.util.Objects;

/**
 * One message between device and edge: a request carrying the cut tensors, the result carrying the
 * outputs the edge computed, or an error with its reason. Immutable.
 *
 * @param type what the message is
 * @param requestId the device's request number; a result or error repeats it
 * @param deviceId who sent the request
 * @param modelId which registered model
 * @param splitId which cut: the device node count for a chain cut ("k=12"), or the planner's label
 * @param deviceMicros device compute time of the prefix (request) or as reported
 * @param edgeMicros edge compute time of the suffix (result)
 * @param linkMicros the device's last measured transfer time of a request, 0 if unknown
 * @param text an error's reason, empty otherwise
 * @param tensors the tensors carried
 */
public record SplitMessage(Type type, long requestId, String deviceId, String modelId, String splitId,
                           long deviceMicros, long edgeMicros, long linkMicros, String text, List<WireTensor> tensors) {
    /** The kind of message; the code is its byte on the wire. */
    public enum Type {
        /** device to edge: cut tensors */
        REQUEST(1),
        /** edge to device: outputs */
        RESULT(2),
        /** edge to device: the request was rejected */
        ERROR(3);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** @return the wire code */
        public int code() {
            return code;
        }

        static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    /** Copies the tensor list. */
    public SplitMessage {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(splitId, "splitId");
        Objects.requireNonNull(text, "text");
        tensors = List.copyOf(tensors);
    }

    /**
     * A request.
     *
     * @param requestId the request number
     * @param deviceId the device
     * @param modelId the model
     * @param splitId the cut
     * @param deviceMicros prefix compute time
     * @param linkMicros last measured transfer time
     * @param tensors the cut tensors
     * @return the message
     */
    public static SplitMessage request(long requestId, String deviceId, String modelId, String splitId,
                                       long deviceMicros, long linkMicros, List<WireTensor> tensors) {
        return new SplitMessage(Type.REQUEST, requestId, deviceId, modelId, splitId, deviceMicros, 0, linkMicros, "",
                tensors);
    }

    /**
     * An error reply.
     *
     * @param requestId the request it answers (0 when unknown)
     * @param reason why
     * @return the message
     */
    public static SplitMessage error(long requestId, String reason) {
        return new SplitMessage(Type.ERROR, requestId, "", "", "", 0, 0, 0, reason, List.of());
    }
}
