/*
 * int8 fully connected layer with weights of zero point 0, inputs and outputs multiples of 4
 * (the generator checks), weights re-laid out by the generator in groups of 4 rows, per 4 inputs the
 * group's 4 rows' 4 bytes (16 bytes). The input offset is folded into the bias (bias + input offset
 * * row sum), so the sums run over raw input bytes: per 4 inputs one load and two SXTB16 of the input
 * serve 4 rows, each 2 __SMLAD (4 rows x 2 accumulations). q: per group of 4 rows their 4 folded
 * biases, then (per-channel weights, mult == 0) their 4 multipliers and 4 shifts; per-tensor weights
 * pass the one multiplier and shift as mult and shift.
 */
TM_KERNEL_O2 void tm_fc_s8_4x(const int8_t *x, int8_t *y, const int8_t *w, const int32_t *q, int batches,
                              int in_n, int out_n, int32_t mult, int32_t shift, int32_t out_off,
                              int32_t act_min, int32_t act_max)
{
    const int qstep = mult == 0 ? 12 : 4;
    int b, o, i, j;
    for (b = 0; b < batches; b++, x += in_n) {
        const int8_t *wp = w;
        const int32_t *qp = q;
        for (o = 0; o < out_n; o += 4, qp += qstep) {
            int32_t a[4];
            a[0] = qp[0];
            a[1] = qp[1];
            a[2] = qp[2];
            a[3] = qp[3];
            for (i = 0; i < in_n; i += 4, wp += 16) {
#if TM_DSP
                const uint32_t xv = tm_rd32(x + i);
                const int16x2_t xl = __sxtb16(xv), xh = tm_sxtb16_ror8(xv);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
                for (j = 0; j < 4; j++) {
                    const uint32_t wv = tm_rd32(wp + 4 * j);
                    a[j] = __smlad(tm_sxtb16_ror8(wv), xh, __smlad(__sxtb16(wv), xl, a[j]));
                }
#else
                for (j = 0; j < 4; j++) {
                    a[j] += (int32_t)wp[4 * j] * x[i] + (int32_t)wp[4 * j + 1] * x[i + 1]
                            + (int32_t)wp[4 * j + 2] * x[i + 2] + (int32_t)wp[4 * j + 3] * x[i + 3];
                }
#endif
            }
            for (j = 0; j < 4; j++) {
                const int32_t m = mult == 0 ? qp[4 + j] : mult, s = mult == 0 ? qp[8 + j] : shift;
                *y++ = tm_clamp_s8(tm_requant_s8(a[j], m, s) + out_off, act_min, act_max);
            }
        }
    }
}
