/*
 * Board port of the MLPerf Tiny harness firmware (written for this project).
 *
 * The harness (mlperf_main.c) needs four things from a board: a UART and a free-running clock.
 * th_port_mps2.c implements them for QEMU's mps2-an386 / mps2-an500 (CMSDK UART0, SysTick);
 * th_port_posix.c for a Linux-class device (stdin/stdout, CLOCK_MONOTONIC: make -f harness.mk harness-host).
 * To run the same firmware on a real board, write these four functions for its UART (115200 8N1)
 * and cycle counter (e.g. DWT->CYCCNT, or SysTick extended by its interrupt) in a file of your own,
 * then build with
 *     make -f harness.mk board-harness MCU_FLAGS='-mcpu=...' LDSCRIPT=board.ld PORT_SRC=my_port.c
 * (your startup code must call main()). Nothing else in the firmware touches hardware.
 */
#ifndef TH_PORT_H
#define TH_PORT_H
#include <stdint.h>

/* Sets up the UART (115200 baud, 8 data bits, no parity, 1 stop bit) and starts the clock. */
void th_port_init(void);

/* Returns the next received byte (0..255), or -1 when none is waiting (a port may also wait for one). */
int th_port_getc(void);

/* Sends one byte, waiting while the UART's transmit buffer is full. */
void th_port_putc(char c);

/* Microseconds since th_port_init(), counted by the board's own clock. */
uint64_t th_port_micros(void);

#endif
