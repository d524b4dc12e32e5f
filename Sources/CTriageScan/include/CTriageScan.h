#ifndef C_TRIAGE_SCAN_H
#define C_TRIAGE_SCAN_H

#include <stddef.h>
#include <stdint.h>

/// Fills one word mask and one event mask per 64 bytes of `bytes[0..<count]`, bit i of word k
/// standing for byte 64k + i: word bytes (ASCII letters, digits, `_`, any byte >= 0x80) and
/// event bytes (anything but a word byte or a space). The last block is padded with bytes that
/// are neither. `words` and `events` must hold (count + 63) / 64 values. Returns the number of
/// ASCII digits.
///
/// Uses SSE2 where the target has it (every x86-64), sixteen bytes per instruction, and the
/// portable loop of `triage_text_masks_portable` elsewhere.
size_t triage_text_masks(const uint8_t *bytes, size_t count, uint64_t *words, uint64_t *events);

/// The same masks, byte by byte, on any target (the reference the SSE2 path is tested against).
size_t triage_text_masks_portable(const uint8_t *bytes, size_t count, uint64_t *words, uint64_t *events);

#endif
