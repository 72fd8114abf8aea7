package io.tinyml.core.data.internal;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a folder of class sub-folders of PNG, BMP or JPEG images. Classes are the sub-folder names
 * sorted by {@link String#compareTo} (as Keras and torchvision do), images within a class sorted by
 * file name. Hidden entries (names starting with '.') and plain files beside the class folders are
 * ignored; anything else inside a class folder that is not an image is an error. Symbolic links are
 * not followed. Stateless and thread-safe.
 */
public final class ImageFolderReader {
    private static final Logger log = LoggerFactory.getLogger(ImageFolderReader.class);

    private ImageFolderReader() {
    }

    /**
     * Reads the folder.
     *
     * @param dir the folder holding one sub-folder per class
     * @param targetH the height to resize to, or 0 to require a common size
     * @param targetW the width to resize to, or 0
     * @return the data set
     * @throws DatasetException if there are no class folders or images, or an entry is not an image
     * @throws IOException if a file cannot be read
     */
    public static Dataset read(Path dir, int targetH, int targetW) throws IOException {
        List<Path> classDirs = new ArrayList<>();
        for (Path p : sortedChildren(dir)) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                classDirs.add(p);
            } else {
                log.debug("Ignoring {} beside the class folders", p);
            }
        }
        if (classDirs.isEmpty()) {
            throw new DatasetException(dir + ": expected one sub-folder per class, found none");
        }
        List<String> classes = new ArrayList<>();
        for (Path p : classDirs) {
            classes.add(p.getFileName().toString());
        }
        ImageSetAssembler a = new ImageSetAssembler(classes, dir.toString(), targetH, targetW);
        for (int c = 0; c < classDirs.size(); c++) {
            for (Path f : sortedChildren(classDirs.get(c))) {
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || !ImageCodec.isImageName(f.getFileName().toString())) {
                    throw new DatasetException(f + ": expected a PNG, BMP or JPEG file inside class folder '" + classes.get(c)
                            + "', found " + (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) ? "a folder"
                            : Files.isSymbolicLink(f) ? "a symbolic link" : "another file"));
                }
                long size = Files.size(f);
                if (size > Integer.MAX_VALUE - 8) {
                    throw new DatasetException(f + ": expected an image file under 2 GiB, found " + size + " bytes");
                }
                a.add(c, f.toString(), Files.readAllBytes(f));
            }
        }
        Dataset d = a.build();
        log.debug("Read {} images {} in {} classes from {}", d.size(), d.sampleShape(), classes.size(), dir);
        return d;
    }

    private static List<Path> sortedChildren(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString()))
                    .toList();
        }
    }
}
