package io.tinyml.nas.internal;

import io.tinyml.nas.Candidate;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG scatter plot of a search: x = estimated latency, y = int8 top-1, point area
 * proportional to flash; front points in colour with their key and a link to the model file, other
 * trained candidates (proxy accuracy) in grey.
 */
public final class FrontPlot {
    private static final int W = 760;
    private static final int H = 480;
    private static final int L = 70;
    private static final int R = 20;
    private static final int T = 30;
    private static final int B = 50;

    private FrontPlot() {
    }

    /**
     * Draws the plot.
     *
     * @param front the front (fully trained)
     * @param all every candidate
     * @return the SVG document
     */
    public static String svg(List<Candidate> front, List<Candidate> all) {
        List<Candidate> trained = all.stream().filter(c -> !Double.isNaN(c.proxyAccuracy())).toList();
        double xMax = 0;
        double yMin = 1;
        long fMax = 1;
        for (Candidate c : trained) {
            xMax = Math.max(xMax, c.latencyMs());
            yMin = Math.min(yMin, c.bestAccuracy());
            fMax = Math.max(fMax, c.flashBytes());
        }
        xMax = xMax <= 0 ? 1 : xMax * 1.08;
        yMin = Math.max(0, Math.floor((yMin - 0.01) * 50) / 50);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                + "xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                + "font-size=\"11\">%n", W, H));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\">Pareto front: int8 top-1 vs "
                + "estimated latency (point area = flash)</text>%n", L));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                L, H - B, W - R, H - B));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                L, T, L, H - B));
        for (int i = 0; i <= 5; i++) {
            double xv = xMax * i / 5;
            double yv = yMin + (1 - yMin) * i / 5;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.2f</text>%n",
                    x(xv, xMax), H - B + 16, xv));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n",
                    L - 6, y(yv, yMin) + 4, yv));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">latency (ms)</text>%n",
                (L + W - R) / 2, H - 12));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">"
                + "int8 top-1</text>%n", (T + H - B) / 2));
        for (Candidate c : trained) {
            if (front.stream().noneMatch(f -> f.key().equals(c.key()))) {
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#bbb\" "
                                + "fill-opacity=\"0.5\"><title>%s proxy %.4f</title></circle>%n", x(c.latencyMs(), xMax),
                        y(c.proxyAccuracy(), yMin), r(c.flashBytes(), fMax), c.key(), c.proxyAccuracy()));
            }
        }
        for (Candidate c : front) {
            double cx = x(c.latencyMs(), xMax);
            double cy = y(c.accuracy(), yMin);
            s.append(String.format(Locale.ROOT, "<a xlink:href=\"%s\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
                            + "fill=\"#1f77b4\" fill-opacity=\"0.7\" stroke=\"#0b3d66\"><title>%s: top-1 %.4f, %.3f ms, "
                            + "%,d B flash, %,d B RAM</title></circle></a>%n", c.modelFile(), cx, cy,
                    r(c.flashBytes(), fMax), c.key(), c.accuracy(), c.latencyMs(), c.flashBytes(), c.ramBytes()));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%s</text>%n", cx + 6,
                    cy - 6, c.key()));
        }
        return s.append("</svg>\n").toString();
    }

    private static double x(double v, double max) {
        return L + (W - L - R) * v / max;
    }

    private static double y(double v, double min) {
        return H - B - (H - B - T) * (v - min) / (1 - min == 0 ? 1 : 1 - min);
    }

    private static double r(long flash, long max) {
        return 3 + 14 * Math.sqrt(flash / (double) max);
    }
}
