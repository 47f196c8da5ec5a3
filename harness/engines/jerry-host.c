/*
 * A JerryScript 3.0 host for `npm run engines` (harness/engines/program-engines.ts): runs one
 * script as the `jerry` command line does, with `print`, and adds `nativeSha256(bytes)`, a
 * SHA-256 in C, as a secure element's or a firmware's native crypto would be. The HAL takes
 * it when the script's prelude says `var hostSha256 = nativeSha256;`, so the run measures
 * the band rather than the HAL's JavaScript SHA-256. At exit it prints the heap's size and
 * peak (a JerryScript built with --mem-stats=ON) as `jerry --mem-stats` does.
 *
 * Build it against a JerryScript build (docs/FIRMWARE.md, "Running the image on every engine"):
 *   cc -O2 -I$J/jerry-core/include -I$J/jerry-ext/include harness/engines/jerry-host.c \
 *     $J/build/lib/libjerry-ext.a $J/build/lib/libjerry-core.a $J/build/lib/libjerry-port.a -lm \
 *     -o /tmp/wristpay-jerry
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jerryscript.h"
#include "jerryscript-ext/handlers.h"
#include "jerryscript-ext/print.h"

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block (uint32_t h[8], const uint8_t p[64])
{
  uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 | (uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++)
  {
    uint32_t s0 = ROTR (w[i - 15], 7) ^ ROTR (w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROTR (w[i - 2], 17) ^ ROTR (w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; i++)
  {
    t1 = k + (ROTR (e, 6) ^ ROTR (e, 11) ^ ROTR (e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    t2 = (ROTR (a, 2) ^ ROTR (a, 13) ^ ROTR (a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void sha256 (const uint8_t *data, size_t len, uint8_t out[32])
{
  uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
  uint8_t last[128] = { 0 };
  size_t whole = len & ~(size_t) 63, rest = len - whole;
  for (size_t at = 0; at < whole; at += 64)
    sha256_block (h, data + at);
  /* The tail, 0x80, zeros, then the bit length in 64 bits: one block or two. */
  memcpy (last, data + whole, rest);
  last[rest] = 0x80;
  size_t tail = rest < 56 ? 64 : 128;
  uint64_t bits = (uint64_t) len * 8;
  for (int i = 0; i < 8; i++)
    last[tail - 1 - i] = (uint8_t) (bits >> (8 * i));
  for (size_t at = 0; at < tail; at += 64)
    sha256_block (h, last + at);
  for (int i = 0; i < 8; i++)
  {
    out[4 * i] = (uint8_t) (h[i] >> 24), out[4 * i + 1] = (uint8_t) (h[i] >> 16);
    out[4 * i + 2] = (uint8_t) (h[i] >> 8), out[4 * i + 3] = (uint8_t) h[i];
  }
}

/* ---- the host ---- */

/* nativeSha256(Uint8Array) → a new 32-byte Uint8Array; a TypeError for anything else. */
static jerry_value_t native_sha256 (const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc)
{
  (void) info;
  if (argc < 1 || !jerry_value_is_typedarray (args[0]))
    return jerry_throw_sz (JERRY_ERROR_TYPE, "nativeSha256: not a Uint8Array");
  jerry_size_t offset = 0, length = 0;
  jerry_value_t buffer = jerry_typedarray_buffer (args[0], &offset, &length);
  uint8_t digest[32];
  sha256 (jerry_arraybuffer_data (buffer) + offset, length, digest);
  jerry_value_free (buffer);
  jerry_value_t result = jerry_typedarray (JERRY_TYPEDARRAY_UINT8, 32);
  jerry_value_t out = jerry_typedarray_buffer (result, &offset, &length);
  memcpy (jerry_arraybuffer_data (out) + offset, digest, 32);
  jerry_value_free (out);
  return result;
}

static void set_global (const char *name, jerry_external_handler_t handler)
{
  jerry_value_t global = jerry_current_realm ();
  jerry_value_t fn = jerry_function_external (handler);
  jerry_value_free (jerry_object_set_sz (global, name, fn));
  jerry_value_free (fn);
  jerry_value_free (global);
}

static char *read_file (const char *path, size_t *size)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  long n = ftell (f);
  fseek (f, 0, SEEK_SET);
  char *text = malloc ((size_t) n);
  *size = fread (text, 1, (size_t) n, f);
  fclose (f);
  return text;
}

int main (int argc, char **argv)
{
  if (argc != 2)
  {
    fprintf (stderr, "usage: %s script.js\n", argv[0]);
    return 2;
  }
  size_t size = 0;
  char *source = read_file (argv[1], &size);
  if (source == NULL)
  {
    fprintf (stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  jerry_init (JERRY_INIT_MEM_STATS);
  set_global ("print", jerryx_handler_print);
  set_global ("nativeSha256", native_sha256);
  jerry_value_t result = jerry_parse ((const jerry_char_t *) source, size, NULL);
  if (!jerry_value_is_exception (result))
  {
    jerry_value_t script = result;
    result = jerry_run (script);
    jerry_value_free (script);
  }
  free (source);
  int status = 0;
  if (jerry_value_is_exception (result))
  {
    jerry_value_t error = jerry_exception_value (result, false);
    printf ("Unhandled exception: ");
    jerryx_print_value (error);
    printf ("\n");
    jerry_value_free (error);
    status = 1;
  }
  jerry_value_free (result);
  jerry_heap_stats_t heap;
  if (jerry_heap_stats (&heap))
    printf ("Heap stats:\n  Heap size = %u bytes\n  Peak allocated = %u bytes\n",
            (unsigned) heap.size,
            (unsigned) heap.peak_allocated_bytes);
  jerry_cleanup ();
  return status;
}
