import { randomBytes } from 'node:crypto';

/** The file part of a form. */
export interface FormFile {
	name: string;
	filename: string;
	contentType: string;
	data: Buffer;
}

/**
 * A multipart/form-data request body, built whole: its only file is an image bounded by the
 * caller (20 MB), and a Buffer can be sent again when a redirect repeats the request.
 */
export class FormBody {
	readonly contentType: string;
	readonly data: Buffer;

	constructor(fields: ReadonlyArray<readonly [string, string]>, file: FormFile) {
		// Random, so no field value or image can contain it.
		const boundary = `ai-stats-${randomBytes(18).toString('hex')}`;
		const parts: Buffer[] = fields.map(([name, value]) =>
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'),
		);
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
				'utf8',
			),
			file.data,
			Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
		);
		this.data = Buffer.concat(parts);
		this.contentType = `multipart/form-data; boundary=${boundary}`;
	}

	/** What logs and errors show instead of the bytes. */
	toJSON(): string {
		return `[multipart form data, ${this.data.length} bytes]`;
	}
}
