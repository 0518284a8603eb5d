// Only the reentrant (_r) GEOS C API: the non-reentrant one keeps global state and its
// message handler is variadic, which Swift cannot call.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
