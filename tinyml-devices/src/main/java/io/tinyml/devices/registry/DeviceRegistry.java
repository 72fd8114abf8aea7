package io.tinyml.devices.registry;

import io.tinyml.core.io.AtomicFiles;
import io.tinyml.core.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registered devices: one small JSON file per device ({@code NAME.json}) in a directory, written
 * atomically. Files carry a format version and newer versions are refused.
 *
 * <pre>
 * DeviceRegistry r = DeviceRegistry.open();
 * r.add(new DeviceRecord("bench-m4", "tcp:127.0.0.1:4000", 115200, "qemu-mps2-an386"), false);
 * </pre>
 *
 * <p>Thread-safe for readers; concurrent writers of the same name: the last one wins.
 */
public final class DeviceRegistry {
    /** The system property naming the tinyml user directory. */
    public static final String HOME_PROPERTY = "tinyml.home";
    private static final int VERSION = 1;
    private final Path dir;

    private DeviceRegistry(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens the registry under {@code ${tinyml.home}/devices} (default {@code ~/.tinyml/devices}).
     *
     * @return the registry (the directory is created on the first write)
     */
    public static DeviceRegistry open() {
        String home = System.getProperty(HOME_PROPERTY);
        Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".tinyml");
        return at(base.resolve("devices"));
    }

    /**
     * Opens a registry in a directory.
     *
     * @param dir the directory
     * @return the registry
     */
    public static DeviceRegistry at(Path dir) {
        return new DeviceRegistry(dir);
    }

    /** @return the directory of the device files */
    public Path directory() {
        return dir;
    }

    /**
     * Registers a device.
     *
     * @param d the device
     * @param replace whether an existing device of that name may be replaced
     * @throws FileAlreadyExistsException if the name is taken and replace is false
     * @throws IOException if the file cannot be written
     */
    public void add(DeviceRecord d, boolean replace) throws IOException {
        Path f = file(d.name());
        if (!replace && Files.exists(f)) {
            throw new FileAlreadyExistsException(d.name(), null, "is already registered (remove it first)");
        }
        Files.createDirectories(dir);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("name", d.name());
        m.put("address", d.address());
        m.put("baud", d.baud());
        m.put("board", d.board());
        AtomicFiles.write(f, (Json.write(m) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Removes a device.
     *
     * @param name the name
     * @throws NoSuchFileException if no device has that name
     * @throws IOException if the file cannot be deleted
     */
    public void remove(String name) throws IOException {
        if (!Files.deleteIfExists(file(name))) {
            throw new NoSuchFileException(name, null, "no device named " + name + " is registered");
        }
    }

    /**
     * Looks a device up.
     *
     * @param name the name
     * @return the device, or empty
     * @throws IOException if its file is unreadable or malformed (one-line message naming the file)
     */
    public Optional<DeviceRecord> get(String name) throws IOException {
        if (!DeviceRecordNames.isPlain(name)) {
            return Optional.empty();
        }
        Path f = file(name);
        return Files.exists(f) ? Optional.of(read(f)) : Optional.empty();
    }

    /**
     * Lists the devices by name.
     *
     * @return the devices, possibly none
     * @throws IOException if a file is unreadable or malformed
     */
    public List<DeviceRecord> list() throws IOException {
        List<DeviceRecord> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : s) {
                out.add(read(f));
            }
        }
        out.sort(Comparator.comparing(DeviceRecord::name));
        return out;
    }

    private Path file(String name) {
        return dir.resolve(name + ".json");
    }

    private static DeviceRecord read(Path f) throws IOException {
        try {
            Map<String, String> m = flat(Json.parse(Files.readString(f, StandardCharsets.UTF_8)));
            int v = Integer.parseInt(m.getOrDefault("version", "0"));
            if (v > VERSION) {
                throw new IOException("device file " + f + " has format version " + v + ", newer than " + VERSION
                        + " (upgrade tinyml)");
            }
            return new DeviceRecord(m.get("name"), m.get("address"), Integer.parseInt(m.get("baud")), m.get("board"));
        } catch (RuntimeException e) {
            throw new IOException("malformed device file " + f + ": " + e.getMessage(), e);
        }
    }

    /** A registry file is one flat object of string and integer values. */
    private static Map<String, String> flat(Object json) {
        if (!(json instanceof Map<?, ?> obj)) {
            throw new IllegalArgumentException("expected an object, found " + Json.typeName(json));
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : obj.entrySet()) {
            if (!(e.getValue() instanceof String || e.getValue() instanceof Long)) {
                throw new IllegalArgumentException("key '" + e.getKey() + "': expected a string or an integer, found "
                        + Json.typeName(e.getValue()));
            }
            m.put((String) e.getKey(), e.getValue().toString());
        }
        return m;
    }

    /** Plain names (those a file can be named after). */
    private static final class DeviceRecordNames {
        static boolean isPlain(String name) {
            try {
                new DeviceRecord(name, "x", 1, "");
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
