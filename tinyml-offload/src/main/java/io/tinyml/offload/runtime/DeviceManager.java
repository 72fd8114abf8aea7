package io.tinyml.offload.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tracks the devices talking to an edge server: their requests, rejected messages, bytes, the last
 * messages, and smoothed (EMA) figures: edge compute time, the device's own compute time and its
 * measured link transfer time and throughput as the device reports them. Thread-safe.
 */
public final class DeviceManager {
    private static final int RECENT = 16;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final double alpha;

    /** @param alpha EMA weight of a new sample, in (0, 1] */
    public DeviceManager(double alpha) {
        new Ema(alpha); // validates
        this.alpha = alpha;
    }

    private Device device(String id) {
        return devices.computeIfAbsent(id.isEmpty() ? "(unknown)" : id, k -> new Device(k, alpha));
    }

    /**
     * Records a served request.
     *
     * @param req the request
     * @param requestBytes its size on the wire
     * @param replyBytes the reply's size on the wire
     * @param edgeMicros the edge's compute time
     */
    public void served(SplitMessage req, long requestBytes, long replyBytes, long edgeMicros) {
        Device d = device(req.deviceId());
        synchronized (d) {
            d.requests++;
            d.bytesIn += requestBytes;
            d.bytesOut += replyBytes;
            d.edgeUs.add(edgeMicros);
            if (req.deviceMicros() > 0) {
                d.deviceUs.add(req.deviceMicros());
            }
            if (req.linkMicros() > 0) {
                d.linkUs.add(req.linkMicros());
                d.throughput.add(requestBytes * 8e6 / req.linkMicros());
            }
            d.lastSeen = System.currentTimeMillis();
            d.remember("#" + req.requestId() + " " + req.modelId() + " " + req.splitId() + " " + requestBytes + " B");
        }
    }

    /**
     * Records a rejected message.
     *
     * @param deviceId the sender if known, else a connection label
     * @param reason why
     */
    public void rejected(String deviceId, String reason) {
        Device d = device(deviceId);
        synchronized (d) {
            d.rejected++;
            d.lastSeen = System.currentTimeMillis();
            d.remember("rejected: " + reason);
        }
    }

    /** @return a snapshot of every device, by id */
    public List<DeviceStatus> status() {
        List<DeviceStatus> out = new ArrayList<>();
        for (Device d : devices.values()) {
            synchronized (d) {
                out.add(new DeviceStatus(d.id, d.requests, d.rejected, d.bytesIn, d.bytesOut, d.edgeUs.value(),
                        d.deviceUs.value(), d.linkUs.value(), d.throughput.value(), d.lastSeen, List.copyOf(d.recent)));
            }
        }
        out.sort(Comparator.comparing(DeviceStatus::deviceId));
        return out;
    }

    /**
     * One device's figures.
     *
     * @param deviceId the id
     * @param requests requests served
     * @param rejected messages rejected
     * @param bytesIn bytes received from it
     * @param bytesOut bytes sent to it
     * @param edgeMicrosEma smoothed edge compute time
     * @param deviceMicrosEma smoothed device compute time it reports
     * @param linkMicrosEma smoothed transfer time it reports
     * @param uplinkBitsPerSecondEma smoothed throughput (request bytes / reported transfer time)
     * @param lastSeenMillis wall-clock time of its last message
     * @param recent its last messages, newest last
     */
    public record DeviceStatus(String deviceId, long requests, long rejected, long bytesIn, long bytesOut,
                               double edgeMicrosEma, double deviceMicrosEma, double linkMicrosEma,
                               double uplinkBitsPerSecondEma, long lastSeenMillis, List<String> recent) {
        /** @return the figures as a map for JSON (NaN as null) */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("deviceId", deviceId);
            m.put("requests", requests);
            m.put("rejected", rejected);
            m.put("bytesIn", bytesIn);
            m.put("bytesOut", bytesOut);
            m.put("edgeMicrosEma", finite(edgeMicrosEma));
            m.put("deviceMicrosEma", finite(deviceMicrosEma));
            m.put("linkMicrosEma", finite(linkMicrosEma));
            m.put("uplinkBitsPerSecondEma", finite(uplinkBitsPerSecondEma));
            m.put("lastSeenMillis", lastSeenMillis);
            m.put("recent", recent);
            return m;
        }

        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
        }
    }

    private static final class Device {
        final String id;
        final Ema edgeUs;
        final Ema deviceUs;
        final Ema linkUs;
        final Ema throughput;
        final Deque<String> recent = new ArrayDeque<>();
        long requests;
        long rejected;
        long bytesIn;
        long bytesOut;
        long lastSeen;

        Device(String id, double alpha) {
            this.id = id;
            edgeUs = new Ema(alpha);
            deviceUs = new Ema(alpha);
            linkUs = new Ema(alpha);
            throughput = new Ema(alpha);
        }

        void remember(String s) {
            if (recent.size() == RECENT) {
                recent.removeFirst();
            }
            recent.addLast(s);
        }
    }
}
