#include "CTriageScan.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int is_word_byte(uint8_t byte) {
    return byte >= 0x80 || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') || byte == '_';
}

/// The masks of the 64 bytes at `block`; returns its ASCII digits.
static inline size_t block_portable(const uint8_t *block, uint64_t *words, uint64_t *events) {
    uint64_t word_mask = 0, event_mask = 0;
    size_t digits = 0;
    for (int index = 0; index < 64; index++) {
        uint8_t byte = block[index];
        if (is_word_byte(byte)) {
            word_mask |= (uint64_t)1 << index;
        } else if (byte != ' ') {
            event_mask |= (uint64_t)1 << index;
        }
        digits += byte >= '0' && byte <= '9';
    }
    *words = word_mask;
    *events = event_mask;
    return digits;
}

#if defined(__SSE2__)
/// `value` <= `limit`, as unsigned bytes, lane by lane (SSE2 has no unsigned compare).
static inline __m128i at_most(__m128i value, char limit) {
    return _mm_cmpeq_epi8(_mm_min_epu8(value, _mm_set1_epi8(limit)), value);
}

static inline size_t block_sse2(const uint8_t *block, uint64_t *words, uint64_t *events) {
    uint64_t word_mask = 0, space_mask = 0, digit_mask = 0;
    for (int lane = 0; lane < 4; lane++) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(block + 16 * lane));
        // Letters: lower-cased by setting 0x20, then 'a'...'z'; non-ASCII bytes fall outside.
        __m128i letter = at_most(_mm_sub_epi8(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), _mm_set1_epi8('a')), 25);
        __m128i digit = at_most(_mm_sub_epi8(bytes, _mm_set1_epi8('0')), 9);
        __m128i underscore = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('_'));
        __m128i space = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(' '));
        // `bytes` itself contributes its high bit: every byte >= 0x80 is a word byte.
        __m128i word = _mm_or_si128(_mm_or_si128(letter, digit), _mm_or_si128(underscore, bytes));
        word_mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(word) << (16 * lane);
        space_mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(space) << (16 * lane);
        digit_mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(digit) << (16 * lane);
    }
    *words = word_mask;
    *events = ~(word_mask | space_mask);
    return (size_t)__builtin_popcountll(digit_mask);
}
#define BLOCK block_sse2
#else
#define BLOCK block_portable
#endif

/// Runs `block` over every whole block, then over the tail copied into a block of spaces.
static inline size_t fill(const uint8_t *bytes, size_t count, uint64_t *words, uint64_t *events,
                          size_t (*block)(const uint8_t *, uint64_t *, uint64_t *)) {
    size_t digits = 0;
    size_t whole = count >> 6;
    for (size_t index = 0; index < whole; index++) {
        digits += block(bytes + (index << 6), &words[index], &events[index]);
    }
    size_t rest = count & 63;
    if (rest > 0) {
        uint8_t tail[64];
        memset(tail, ' ', sizeof tail);
        memcpy(tail, bytes + (whole << 6), rest);
        digits += block(tail, &words[whole], &events[whole]);
    }
    return digits;
}

size_t triage_text_masks(const uint8_t *bytes, size_t count, uint64_t *words, uint64_t *events) {
    return fill(bytes, count, words, events, BLOCK);
}

size_t triage_text_masks_portable(const uint8_t *bytes, size_t count, uint64_t *words, uint64_t *events) {
    return fill(bytes, count, words, events, block_portable);
}
