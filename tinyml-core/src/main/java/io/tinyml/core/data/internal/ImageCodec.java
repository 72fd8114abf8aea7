package io.tinyml.core.data.internal;

import io.tinyml.core.data.DatasetException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;

/**
 * Decodes PNG, BMP and JPEG images to 8-bit RGB and encodes 8-bit grey or RGB images as PNG, with
 * the JDK's {@code javax.imageio}. Dimensions are checked before pixels are decoded, so a hostile
 * header cannot force a huge allocation. Stateless and thread-safe.
 */
public final class ImageCodec {
    /** The most pixels one image may have (64 Mi). */
    public static final long MAX_PIXELS = 64L << 20;

    private ImageCodec() {
    }

    /**
     * A decoded image: interleaved 8-bit RGB, row-major.
     *
     * @param height the height
     * @param width the width
     * @param rgb {@code height * width * 3} bytes
     * @param grey true if every pixel has equal red, green and blue
     */
    public record Decoded(int height, int width, byte[] rgb, boolean grey) {
    }

    /**
     * Tells whether a file name has an image extension this codec reads.
     *
     * @param name the file name
     * @return true for .png, .bmp, .jpg and .jpeg (any case)
     */
    public static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".bmp") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /**
     * Decodes an image.
     *
     * @param data the encoded bytes
     * @param name the file or entry name, for messages
     * @return the image
     * @throws DatasetException if the bytes are not a readable image or it is too large
     */
    public static Decoded decode(byte[] data, String name) throws DatasetException {
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (in == null || !readers.hasNext()) {
                throw new DatasetException(name + ": expected a PNG, BMP or JPEG image, found an unrecognized format");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || w * h > MAX_PIXELS) {
                    throw new DatasetException(name + ": expected an image of 1 to " + MAX_PIXELS + " pixels, found " + w + "x" + h);
                }
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (DatasetException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DatasetException(name + ": expected a readable image, found a corrupt one: " + e.getMessage(), e);
        }
        int w = img.getWidth();
        int h = img.getHeight();
        if (!(img.getColorModel() instanceof IndexColorModel) && img.getRaster().getNumBands() <= 2) {
            return greyFromRaster(img.getRaster(), h, w);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] rgb = new byte[w * h * 3];
        boolean grey = true;
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            int r = (p >> 16) & 0xff;
            int g = (p >> 8) & 0xff;
            int b = p & 0xff;
            grey &= r == g && g == b;
            rgb[3 * i] = (byte) r;
            rgb[3 * i + 1] = (byte) g;
            rgb[3 * i + 2] = (byte) b;
        }
        return new Decoded(h, w, rgb, grey);
    }

    /**
     * Reads grey samples straight from the raster: {@code getRGB} would apply a gamma conversion
     * from the linear grey colour space and change the values.
     */
    private static Decoded greyFromRaster(WritableRaster raster, int h, int w) {
        int bits = raster.getSampleModel().getSampleSize(0);
        int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        byte[] rgb = new byte[w * h * 3];
        int max = (1 << bits) - 1;
        for (int i = 0; i < samples.length; i++) {
            int v = bits == 8 ? samples[i] : bits > 8 ? samples[i] >>> (bits - 8) : (samples[i] * 255 + max / 2) / max;
            rgb[3 * i] = (byte) v;
            rgb[3 * i + 1] = (byte) v;
            rgb[3 * i + 2] = (byte) v;
        }
        return new Decoded(h, w, rgb, true);
    }

    /**
     * Encodes 8-bit pixels as PNG.
     *
     * @param pixels {@code height * width * channels} bytes, HWC
     * @param height the height
     * @param width the width
     * @param channels 1 (grey) or 3 (RGB)
     * @return the PNG bytes
     * @throws IOException if encoding fails
     */
    public static byte[] encodePng(byte[] pixels, int height, int width, int channels) throws IOException {
        BufferedImage img;
        if (channels == 1) {
            img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, width, height, pixels);
        } else if (channels == 3) {
            img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            int[] rgb = new int[width * height];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (pixels[3 * i] & 0xff) << 16 | (pixels[3 * i + 1] & 0xff) << 8 | (pixels[3 * i + 2] & 0xff);
            }
            img.setRGB(0, 0, width, height, rgb, 0, width);
        } else {
            throw new IllegalArgumentException("expected 1 or 3 channels, found " + channels);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", out)) {
            throw new IOException("expected a PNG writer in javax.imageio, found none");
        }
        return out.toByteArray();
    }
}
