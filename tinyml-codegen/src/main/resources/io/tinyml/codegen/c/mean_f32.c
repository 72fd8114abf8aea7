/* float32 mean over H and W of an NHWC tensor: sums in double in input order, divides once. */
TM_KERNEL void tm_mean_hw_f32(const float *x, float *y, int batches, int hw, int channels)
{
    int b, c, i;
    for (b = 0; b < batches; b++) {
        for (c = 0; c < channels; c++) {
            const float *p = x + (long)b * hw * channels + c;
            double acc = 0.0;
            for (i = 0; i < hw; i++) {
                acc += (double)p[(long)i * channels];
            }
            y[b * channels + c] = (float)(acc / hw);
        }
    }
}
