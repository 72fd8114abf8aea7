/* int16 average (average != 0) or max pooling; padded positions are not counted. */
TM_KERNEL void tm_pool_s16(const tm_win_params *p, const int16_t *x, int16_t *y, int average)
{
    const int c = p->in_c;
    int b, oy, ox, ch, fy, fx;
    for (b = 0; b < p->batches; b++) {
        for (oy = 0; oy < p->out_h; oy++) {
            const int iy0 = oy * p->stride_h - p->pad_h;
            const int fy0 = TM_MAX(0, -iy0), fy1 = TM_MIN(p->k_h, p->in_h - iy0);
            for (ox = 0; ox < p->out_w; ox++) {
                const int ix0 = ox * p->stride_w - p->pad_w;
                const int fx0 = TM_MAX(0, -ix0), fx1 = TM_MIN(p->k_w, p->in_w - ix0);
                for (ch = 0; ch < c; ch++) {
                    int32_t acc = average ? 0 : INT32_MIN;
                    int32_t count = 0;
                    for (fy = fy0; fy < fy1; fy++) {
                        const int16_t *row = x + ((long)(b * p->in_h + iy0 + fy) * p->in_w + ix0) * c + ch;
                        for (fx = fx0; fx < fx1; fx++) {
                            int32_t v = row[fx * c];
                            if (average) {
                                acc += v;
                            } else if (v > acc) {
                                acc = v;
                            }
                            count++;
                        }
                    }
                    if (average) {
                        acc = count == 0 ? 0 : (acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count);
                    }
                    *y++ = tm_clamp_s16(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
