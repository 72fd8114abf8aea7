/*
 * Conversions at the edges of int8 regions: float32 -> int8 (x / scale in float, rounded half away
 * from zero in double, + zero point, clamped; NaN gives the zero point), int8 -> float32
 * ((float)(scale * (q - zp)) in double) and int8 -> int8 requantization. A model may call any one of
 * them (a float32 -> int8 model only the first): the others are marked unused, so -Werror builds pass.
 */
#if defined(__GNUC__) || defined(__clang__)
#define TM_CONVERSION __attribute__((noinline, unused)) static
#else
#define TM_CONVERSION TM_KERNEL
#endif

TM_CONVERSION void tm_quantize_f32_s8(const float *x, int8_t *y, int n, float scale, int32_t zp)
{
    int i;
    for (i = 0; i < n; i++) {
        const double v = (double)(x[i] / scale);
        const double a = v < 0 ? -v : v;
        double r, q;
        if (v != v) {
            q = (double)zp;
        } else if (a >= 1048576.0) {
            q = v > 0 ? 127.0 : -128.0; /* saturates whatever the zero point; no libm floor needed */
        } else {
            r = (double)(int32_t)a; /* floor of a non-negative value */
            if (a - r >= 0.5) {
                r += 1.0;
            }
            q = (v >= 0 ? r : -r) + (double)zp;
        }
        y[i] = (int8_t)(q < -128.0 ? -128 : (q > 127.0 ? 127 : (int)q));
    }
}

TM_CONVERSION void tm_dequantize_s8_f32(const int8_t *x, float *y, int n, double scale, int32_t zp)
{
    int i;
    for (i = 0; i < n; i++) {
        y[i] = (float)(scale * (double)((int32_t)x[i] - zp));
    }
}

TM_CONVERSION void tm_requantize_s8(const int8_t *x, int8_t *y, int n, int32_t zp_in, int32_t zp_out, int32_t m, int s)
{
    int i;
    for (i = 0; i < n; i++) {
        const int32_t v = tm_mbqm((int32_t)x[i] - zp_in, m, s) + zp_out;
        y[i] = (int8_t)TM_MIN(TM_MAX(v, -128), 127);
    }
}
