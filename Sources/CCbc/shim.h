// COIN-OR CBC's C interface (Debian coinor-libcbc-dev 2.10; pkg-config "cbc" adds -I/usr/include/coin).
#include <Cbc_C_Interface.h>
