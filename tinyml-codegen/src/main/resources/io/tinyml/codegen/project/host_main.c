/* Host demo: PROG IN.bin OUT.bin runs one inference (inputs concatenated in IN.bin, outputs in OUT.bin). */
#include <stdio.h>
#include <stdlib.h>
#include "@P@_model.h"

#ifdef TINYML_DUMP
/* writes node i's output to layerNN.bin in the current directory */
void tinyml_dump(int node, const void *data, unsigned bytes)
{
    char name[32];
    FILE *f;
    sprintf(name, "layer%02d.bin", node);
    f = fopen(name, "wb");
    if (f) {
        fwrite(data, 1, bytes, f);
        fclose(f);
    }
}
#endif

static const unsigned long in_bytes[] = {@IN_BYTES@};
static const unsigned long out_bytes[] = {@OUT_BYTES@};

int main(int argc, char **argv)
{
    const void *inputs[@NI@];
    void *outputs[@NO@];
    unsigned char *buf[@NI@ + @NO@];
    FILE *f;
    int i, rc;
    if (argc != 3) {
        fprintf(stderr, "usage: %s IN.bin OUT.bin\n", argv[0]);
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    for (i = 0; i < @NI@; i++) {
        buf[i] = malloc(in_bytes[i]);
        if (!buf[i] || fread(buf[i], 1, in_bytes[i], f) != in_bytes[i]) {
            fprintf(stderr, "expected %lu bytes for input %d in %s\n", in_bytes[i], i, argv[1]);
            return 1;
        }
        inputs[i] = buf[i];
    }
    fclose(f);
    for (i = 0; i < @NO@; i++) {
        buf[@NI@ + i] = malloc(out_bytes[i]);
        outputs[i] = buf[@NI@ + i];
    }
    rc = @P@_invoke(inputs, outputs);
    if (rc != 0) {
        fprintf(stderr, "invoke failed at node %d\n", rc - 1);
        return 1;
    }
    f = fopen(argv[2], "wb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", argv[2]);
        return 1;
    }
    for (i = 0; i < @NO@; i++) {
        fwrite(outputs[i], 1, out_bytes[i], f);
    }
    fclose(f);
    for (i = 0; i < @NI@ + @NO@; i++) {
        free(buf[i]);
    }
    return 0;
}
