package io.tinyml.cli.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.AtomicFiles;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one way the command line writes files, so that it never loses what the user had.
 *
 * <ul>
 *   <li>An existing output is refused unless forced ({@link FileAlreadyExistsException}, exit status 2).</li>
 *   <li>An output that is, contains or lies inside one of the command's inputs is refused even when
 *       forced.</li>
 *   <li>Files are written through a temporary file in the same directory that is moved into place
 *       ({@link AtomicFiles}); directories are built in a temporary sibling that is moved into place
 *       when complete, or, when forced into an existing directory, whose files are moved into it one by
 *       one (other files there stay).</li>
 * </ul>
 * Checks run before the work starts ({@link #check}) and again when writing. Stateless and thread-safe.
 */
public final class Outputs {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Outputs() {
    }

    /**
     * Checks that a file or directory may be written, before any work is done.
     *
     * @param target the output file or directory
     * @param directory whether the output is a directory (an existing empty directory is accepted)
     * @param force whether an existing output may be replaced (a directory: written into)
     * @param inputs the command's inputs, which are never written over
     * @throws IOException {@link FileAlreadyExistsException} naming the output when it exists and
     *     {@code force} is false, or when it overlaps an input
     */
    public static void check(Path target, boolean directory, boolean force, Path... inputs) throws IOException {
        for (Path in : inputs) {
            if (in != null && overlaps(target, in)) {
                throw new FileAlreadyExistsException(target.toString(), null, (sameFile(target, in)
                        ? "is the input " : "overlaps the input ") + in + "; choose another output (even --force "
                        + "never writes over an input)");
            }
        }
        if (force || !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!directory) {
            throw new FileAlreadyExistsException(target.toString(), null, "exists (use --force to replace it)");
        }
        if (!Files.isDirectory(target)) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "exists and is not a directory (use --force to replace it)");
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) {
                throw new FileAlreadyExistsException(target.toString(), null,
                        "is not empty (use --force to write into it)");
            }
        }
    }

    /**
     * Writes bytes to a file atomically after {@link #check checking} it.
     *
     * @param target the file
     * @param bytes the content
     * @param force whether an existing file may be replaced
     * @param inputs the command's inputs
     * @throws IOException if the check fails or writing fails (the reason names {@code target})
     */
    public static void write(Path target, byte[] bytes, boolean force, Path... inputs) throws IOException {
        checkFile(target, force, inputs);
        AtomicFiles.write(target, bytes);
    }

    /**
     * Writes a model atomically, in the format its extension names, after {@link #check checking} the file.
     *
     * @param model the model
     * @param target the file (.tflite or .onnx)
     * @param force whether an existing file may be replaced
     * @param inputs the command's inputs
     * @throws IOException if the check or writing fails
     * @throws UnsupportedOperatorException if the format cannot express an operator of the model
     */
    public static void writeModel(Model model, Path target, boolean force, Path... inputs)
            throws IOException, UnsupportedOperatorException {
        checkFile(target, force, inputs);
        ModelIO.write(model, target);
    }

    /**
     * Checks that a model output names a format we write, before any work is done.
     *
     * @param target the output file
     * @throws IllegalArgumentException naming the file when it ends in neither .tflite nor .onnx
     */
    public static void requireModelFile(Path target) {
        String name = target.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!name.endsWith(".tflite") && !name.endsWith(".onnx")) {
            throw new IllegalArgumentException("expected --output ending in .tflite or .onnx, found '" + target + "'");
        }
    }

    private static void checkFile(Path target, boolean force, Path... inputs) throws IOException {
        check(target, false, force, inputs);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "is a directory; expected a file");
        }
    }

    /**
     * Writes a set of files (relative names to contents) as a directory, after {@link #check checking} it.
     *
     * @param dir the directory
     * @param files relative file names and their contents
     * @param force whether an existing directory may be written into (or an existing file replaced)
     * @param inputs the command's inputs
     * @throws IOException if the check or writing fails
     */
    public static void writeDirectory(Path dir, Map<String, byte[]> files, boolean force, Path... inputs)
            throws IOException {
        try (StagedDirectory staged = stage(dir, force, inputs)) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path p = staged.path().resolve(e.getKey()).normalize();
                if (!p.startsWith(staged.path())) {
                    throw new IllegalArgumentException("expected a relative file name inside the output, found '"
                            + e.getKey() + "'");
                }
                Files.createDirectories(p.getParent());
                Files.write(p, e.getValue());
            }
            staged.commit();
        }
    }

    /**
     * Starts building a directory output in a temporary sibling, after {@link #check checking} it.
     * {@link StagedDirectory#commit()} moves it into place; closing without committing deletes it.
     *
     * @param dir the directory
     * @param force whether an existing directory may be written into (or an existing file replaced)
     * @param inputs the command's inputs
     * @return the staged directory
     * @throws IOException if the check fails or the sibling cannot be created
     */
    public static StagedDirectory stage(Path dir, boolean force, Path... inputs) throws IOException {
        check(dir, true, force, inputs);
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            Files.createDirectory(tmp);
        } catch (IOException e) {
            throw AtomicFiles.cannotCreate(target, e);
        }
        return new StagedDirectory(target, tmp);
    }

    /**
     * A directory being built beside its final place. Not thread-safe.
     */
    public static final class StagedDirectory implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private boolean done;

        private StagedDirectory(Path target, Path tmp) {
            this.target = target;
            this.tmp = tmp;
        }

        /**
         * Returns where to write the directory's files until {@link #commit()}.
         *
         * @return the temporary directory
         */
        public Path path() {
            return tmp;
        }

        /**
         * Moves the directory into place: whole when the target is missing or an empty directory,
         * file by file into an existing directory (replacing files of the same name), in place of a file.
         *
         * @throws IOException if moving fails
         * @throws IllegalStateException if already committed or closed
         */
        public void commit() throws IOException {
            if (done) {
                throw new IllegalStateException("expected an open staged directory, found it committed or closed");
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(target);
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.delete(target);
                } catch (DirectoryNotEmptyException e) {
                    mergeInto(target);
                    done = true;
                    deleteTree(tmp);
                    return;
                }
            }
            move(tmp, target);
            done = true;
        }

        private void mergeInto(Path dir) throws IOException {
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.walk(tmp)) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
            for (Path f : files) {
                Path to = dir.resolve(tmp.relativize(f).toString());
                Files.createDirectories(to.getParent());
                move(f, to);
            }
        }

        private static void move(Path from, Path to) throws IOException {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        /** Deletes the temporary directory if it was not committed; idempotent. */
        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                deleteTree(tmp);
            }
        }

        private static void deleteTree(Path dir) throws IOException {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Whether writing {@code target} could touch {@code input}: same file, or one inside the other. */
    private static boolean overlaps(Path target, Path input) throws IOException {
        if (sameFile(target, input)) {
            return true;
        }
        Path t = real(target);
        Path i = real(input);
        return t.startsWith(i) || i.startsWith(t);
    }

    private static boolean sameFile(Path a, Path b) throws IOException {
        if (Files.exists(a) && Files.exists(b)) {
            return Files.isSameFile(a, b);
        }
        return real(a).equals(real(b));
    }

    /** The absolute, normalized path with its longest existing prefix resolved through links. */
    private static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        return existing.toRealPath().resolve(existing.relativize(abs));
    }
}
