/* int8 element-wise operator as a 256-entry table indexed by the input byte (x + 128). */
TM_KERNEL void tm_lut_s8(const int8_t *x, int8_t *y, int n, const int8_t *table)
{
    int i;
    for (i = 0; i < n; i++) {
        y[i] = table[(int)x[i] + 128];
    }
}
