/*
 * th_port.h on a Linux-class device (written for this project): the harness speaks over stdin/stdout,
 * so the same program serves a pipe, an ssh session or a serial getty; the clock is CLOCK_MONOTONIC.
 * th_port_getc waits for a byte (the harness has nothing else to do) and ends the program when the
 * host closes the line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "th_port.h"

static struct timespec start;

void th_port_init(void)
{
    clock_gettime(CLOCK_MONOTONIC, &start);
}

int th_port_getc(void)
{
    unsigned char c;
    ssize_t n = read(0, &c, 1);
    if (n <= 0) {
        exit(0);
    }
    return c;
}

void th_port_putc(char c)
{
    putchar(c);
    if (c == '\n') {
        fflush(stdout);
    }
}

uint64_t th_port_micros(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - start.tv_sec) * 1000000u + (uint64_t)((now.tv_nsec - start.tv_nsec) / 1000);
}
