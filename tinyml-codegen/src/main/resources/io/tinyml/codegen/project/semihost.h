/* Minimal ARM semihosting (written for this project): files on the host through the debugger/QEMU. */
#ifndef TM_SEMIHOST_H
#define TM_SEMIHOST_H
#include <stdint.h>
int32_t sh_open(const char *path, int32_t mode);
int32_t sh_read(int32_t fd, void *buf, uint32_t len);
int32_t sh_write(int32_t fd, const void *buf, uint32_t len);
int32_t sh_close(int32_t fd);
int32_t sh_cmdline(char *buf, uint32_t len);
void sh_write0(const char *s);
void sh_exit(int code);
#endif
