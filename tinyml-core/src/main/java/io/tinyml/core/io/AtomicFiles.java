package io.tinyml.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes files so that no half-written file is ever left behind: the bytes go to a new hidden file
 * in the target's directory, which is then moved over the target (atomically where the file system
 * allows). Thread-safe (stateless).
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /**
     * Writes bytes to a file, replacing it if it exists.
     *
     * @param path the target file; its directory is created if missing
     * @param bytes the content
     * @throws IOException if writing or moving fails (the temporary file is deleted); the exception
     *     names {@code path} and the reason, never the temporary file
     */
    public static void write(Path path, byte[] bytes) throws IOException {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp;
        try {
            tmp = newTempFile(dir, target.getFileName().toString(), bytes);
        } catch (FileSystemException e) {
            throw cannotCreate(path, e);
        }
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Describes a failure to create a file (or the temporary file standing for it) in terms of the
     * file the user asked for: its name and the reason, never the temporary name.
     *
     * @param target the file the user asked for
     * @param cause the failure
     * @return an exception of the same kind ({@link AccessDeniedException} stays one) naming {@code target}
     */
    public static FileSystemException cannotCreate(Path target, IOException cause) {
        Path dir = target.toAbsolutePath().getParent();
        String why;
        if (cause instanceof AccessDeniedException) {
            why = "permission denied";
        } else if (cause instanceof NoSuchFileException) {
            why = "the directory does not accept new files";
        } else if (cause instanceof FileSystemException f && f.getReason() != null) {
            why = f.getReason();
        } else {
            why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        }
        String reason = "cannot create a file in " + dir + " (" + why + ")";
        FileSystemException e = cause instanceof AccessDeniedException
                ? new AccessDeniedException(target.toString(), null, reason)
                : new FileSystemException(target.toString(), null, reason);
        e.initCause(cause);
        return e;
    }

    /**
     * Writes the bytes to a new hidden file beside the target. Created like any new file (the
     * process umask applies), unlike {@link Files#createTempFile}, which would leave the file
     * readable by its owner only.
     */
    private static Path newTempFile(Path dir, String name, byte[] bytes) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(bytes);
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 16) {
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        }
    }
}
