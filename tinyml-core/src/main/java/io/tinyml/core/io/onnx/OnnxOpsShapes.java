package io.tinyml.core.io.onnx;

/** Shape rules shared by the reader and the writer. */
final class OnnxOpsShapes {
    private OnnxOpsShapes() {
    }

    /** Numpy broadcasting of two shapes, or null if they do not broadcast. */
    static int[] broadcast(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] d = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            d[i] = da == 1 ? db : da;
        }
        return d;
    }
}
