// zlib (Debian zlib1g-dev): gzip files read in-process (instance matrices).
#include <zlib.h>
