#pragma once
// Functions marked GPUSHARE_HD are compiled for the device by nvcc and for the host by any C++
// compiler, so each kernel's arithmetic has one definition that the host reference and the
// unit tests share with the GPU.

#if defined(__CUDACC__)
#define GPUSHARE_HD __host__ __device__
#else
#define GPUSHARE_HD
#endif
