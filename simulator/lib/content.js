'use strict';
/**
 * Output bytes for completed jobs.
 *
 * Two sources:
 * - `clip`: one of the real, playable MP4 files in simulator/assets (small, cached in memory).
 * - `synthetic`: deterministic bytes of any size (e.g. 1 GiB) produced on the fly in 64 KiB chunks.
 *   Nothing large is ever held in memory. Each chunk is a per-index base pattern stamped with its own
 *   offset, so truncated, shifted or corrupted downloads are detectable by length and sha256.
 *   The sha256 is computed once per (size, index) by streaming and then cached.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Readable } = require('node:stream');

const CHUNK_SIZE = 64 * 1024;
const CLIP_COUNT = 4;
const ASSETS_DIR = path.join(__dirname, '..', 'assets');
const MIME_TYPE = 'video/mp4';
/** An MP4 `ftyp` box so sniffers recognise the synthetic stream as MP4. */
const FTYP = Buffer.from('00000018667479706973346d0000020069736f6d69736f32', 'hex');
const STAMP_MAGIC = 0x53494d56; // "SIMV"

/** @typedef {{kind: 'clip', clip: number} | {kind: 'synthetic', bytes: number, index: number}} ContentSpec */

class ContentService {
	constructor() {
		/** @type {Map<number, {buffer: Buffer, sha256: string}>} */
		this.clips = new Map();
		/** @type {Map<number, Buffer>} */
		this.bases = new Map();
		/** @type {Map<string, Promise<string>>} */
		this.shaPromises = new Map();
		/** @type {Map<string, string>} */
		this.shaValues = new Map();
	}

	/** @param {number} clip 0..3 */
	clip(clip) {
		const key = ((clip % CLIP_COUNT) + CLIP_COUNT) % CLIP_COUNT;
		let entry = this.clips.get(key);
		if (!entry) {
			const buffer = fs.readFileSync(path.join(ASSETS_DIR, `sample-${key}.mp4`));
			entry = { buffer, sha256: crypto.createHash('sha256').update(buffer).digest('hex') };
			this.clips.set(key, entry);
		}
		return entry;
	}

	/** @param {ContentSpec} spec */
	length(spec) {
		return spec.kind === 'clip' ? this.clip(spec.clip).buffer.length : spec.bytes;
	}

	/**
	 * sha256 of the bytes served for `spec`; synthetic content is hashed in the background once.
	 * @param {ContentSpec} spec
	 * @returns {Promise<string>}
	 */
	sha256(spec) {
		if (spec.kind === 'clip') return Promise.resolve(this.clip(spec.clip).sha256);
		const key = `${spec.bytes}:${spec.index}`;
		const known = this.shaValues.get(key);
		if (known) return Promise.resolve(known);
		let pending = this.shaPromises.get(key);
		if (!pending) {
			pending = this.hashSyntheticAsync(spec.bytes, spec.index).then((hex) => {
				this.shaValues.set(key, hex);
				return hex;
			});
			this.shaPromises.set(key, pending);
		}
		return pending;
	}

	/** Synchronous variant for `sim.contentFor` (blocks only if the hash is not cached yet). */
	sha256Sync(spec) {
		if (spec.kind === 'clip') return this.clip(spec.clip).sha256;
		const key = `${spec.bytes}:${spec.index}`;
		let hex = this.shaValues.get(key);
		if (!hex) {
			const hash = crypto.createHash('sha256');
			for (let offset = 0; offset < spec.bytes; offset += CHUNK_SIZE) {
				hash.update(this.syntheticChunk(spec.index, offset, Math.min(CHUNK_SIZE, spec.bytes - offset)));
			}
			hex = hash.digest('hex');
			this.shaValues.set(key, hex);
		}
		return hex;
	}

	/** Known sha256 without computing (undefined while a synthetic hash is still running). */
	sha256IfKnown(spec) {
		if (spec.kind === 'clip') return this.clip(spec.clip).sha256;
		return this.shaValues.get(`${spec.bytes}:${spec.index}`);
	}

	/**
	 * A fresh Readable with the full content, honouring backpressure.
	 * @param {ContentSpec} spec
	 * @returns {Readable}
	 */
	createStream(spec) {
		if (spec.kind === 'clip') {
			const { buffer } = this.clip(spec.clip);
			return Readable.from([buffer], { objectMode: false });
		}
		return new SyntheticStream(this, spec.bytes, spec.index);
	}

	async hashSyntheticAsync(bytes, index) {
		const hash = crypto.createHash('sha256');
		let offset = 0;
		while (offset < bytes) {
			// Hash ~4 MiB per turn of the event loop so the server stays responsive meanwhile.
			const stop = Math.min(bytes, offset + 64 * CHUNK_SIZE);
			for (; offset < stop; offset += CHUNK_SIZE) {
				hash.update(this.syntheticChunk(index, offset, Math.min(CHUNK_SIZE, bytes - offset)));
			}
			if (offset < bytes) await new Promise((resolve) => setImmediate(resolve));
		}
		return hash.digest('hex');
	}

	/** Deterministic per-index 64 KiB base pattern (SHA-256 in counter mode). */
	base(index) {
		let base = this.bases.get(index);
		if (!base) {
			base = Buffer.allocUnsafe(CHUNK_SIZE);
			for (let block = 0; block * 32 < CHUNK_SIZE; block += 1) {
				crypto.createHash('sha256').update(`ai-stats-simulator:${index}:${block}`).digest().copy(base, block * 32);
			}
			this.bases.set(index, base);
		}
		return base;
	}

	/**
	 * Bytes [offset, offset + length) of synthetic output `index`. `offset` is a multiple of CHUNK_SIZE.
	 * The last 16 bytes of every full-enough chunk hold "SIMV", the index and the chunk offset.
	 */
	syntheticChunk(index, offset, length) {
		const chunk = Buffer.allocUnsafe(length);
		this.base(index).copy(chunk, 0, 0, length);
		if (offset === 0) FTYP.copy(chunk, 0, 0, Math.min(FTYP.length, length));
		if (length >= 16 + (offset === 0 ? FTYP.length : 0)) {
			chunk.writeUInt32BE(STAMP_MAGIC, length - 16);
			chunk.writeUInt32BE(index >>> 0, length - 12);
			chunk.writeBigUInt64BE(BigInt(offset), length - 8);
		}
		return chunk;
	}
}

/** Streams synthetic content chunk by chunk; stops pushing when the consumer applies backpressure. */
class SyntheticStream extends Readable {
	constructor(service, bytes, index) {
		super({ highWaterMark: CHUNK_SIZE * 2 });
		this.service = service;
		this.bytes = bytes;
		this.index = index;
		this.offset = 0;
	}

	_read() {
		while (this.offset < this.bytes) {
			const length = Math.min(CHUNK_SIZE, this.bytes - this.offset);
			const chunk = this.service.syntheticChunk(this.index, this.offset, length);
			this.offset += length;
			if (!this.push(chunk)) return;
		}
		this.push(null);
	}
}

module.exports = { ContentService, CHUNK_SIZE, CLIP_COUNT, MIME_TYPE };
