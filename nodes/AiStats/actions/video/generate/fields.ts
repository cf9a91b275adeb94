import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/**
 * The create request's simple fields: one row each. The node's Options collection, reading the
 * parameters, the body mapping, the per-field messages and the model check's field names all
 * come from this table; only the cross-field rules in body.ts are written by hand.
 */

export const RESOLUTIONS = ['480p', '720p', '1080p', '1K', '2K', '4K'] as const;

interface FieldBase {
	/** The parameter's name in the node (Options collection), and the key of GenerateInput. */
	name: string;
	/** The request field. */
	api: string;
	/** The field in messages, and the UI label unless `displayName` says otherwise. */
	label: string;
	ui: {
		displayName?: string;
		/** The UI's control when it is not the kind's own (e.g. a list of common values). */
		type?: INodeProperties['type'];
		options?: INodePropertyOptions[];
		default: INodeProperties['default'];
		placeholder?: string;
		description: string;
	};
}

export type CreateField = FieldBase &
	(
		| { kind: 'integer'; min?: number; max?: number; unit?: string }
		/** Trimmed text; with `pattern`, refused unless it matches (`rule` is the message). */
		| { kind: 'text'; pattern?: RegExp; rule?: string }
		/** Sent exactly as entered when not blank. */
		| { kind: 'verbatim' }
		| { kind: 'choice'; values: readonly string[] }
		| { kind: 'boolean' }
	);

/** In the order the request body lists them. */
export const CREATE_FIELDS = [
	{
		name: 'duration', api: 'duration', label: 'Duration', kind: 'integer', min: 1, max: 120, unit: ' seconds',
		ui: { displayName: 'Duration (Seconds)', default: 8, description: 'Length of the video, from 1 to 120 seconds (models support specific values)' },
	},
	{
		name: 'seconds', api: 'seconds', label: 'Seconds', kind: 'choice', values: ['4', '8', '12', '16', '20'],
		ui: { displayName: 'Seconds (OpenAI Form)', default: '8', description: 'Length in the OpenAI-compatible form the production gateway also accepts (sent as a string). The gateway uses Duration when both are set.' },
	},
	{
		name: 'size', api: 'size', label: 'Size', kind: 'text', pattern: /^\d+x\d+$/, rule: 'must be WIDTHxHEIGHT in pixels, e.g. 1280x720',
		ui: { default: '', placeholder: 'e.g. 1280x720', description: 'Exact WIDTHxHEIGHT in pixels; cannot be combined with Resolution or Aspect Ratio' },
	},
	{
		name: 'resolution', api: 'resolution', label: 'Resolution', kind: 'choice', values: RESOLUTIONS,
		ui: { default: '720p', description: 'Output resolution; can be combined with Aspect Ratio but not with Size' },
	},
	{
		name: 'aspectRatio', api: 'aspect_ratio', label: 'Aspect Ratio', kind: 'text', pattern: /^\d+:\d+$/, rule: 'must look like 16:9, 9:16 or 1:1',
		ui: {
			type: 'options',
			options: [
				{ name: '1:1 (Square)', value: '1:1' },
				{ name: '16:9 (Landscape)', value: '16:9' },
				{ name: '21:9 (Cinema)', value: '21:9' },
				{ name: '3:4', value: '3:4' },
				{ name: '4:3', value: '4:3' },
				{ name: '9:16 (Portrait)', value: '9:16' },
			],
			default: '16:9',
			description: 'Frame shape; can be combined with Resolution but not with Size',
		},
	},
	{
		name: 'seed', api: 'seed', label: 'Seed', kind: 'integer',
		ui: { default: 0, description: 'Seed for reproducible results (model dependent)' },
	},
	{
		name: 'sampleCount', api: 'sample_count', label: 'Sample Count', kind: 'integer', min: 1, max: 4,
		ui: { default: 1, description: 'How many videos to generate from the prompt, from 1 to 4' },
	},
	{
		name: 'compressionQuality', api: 'compression_quality', label: 'Compression Quality', kind: 'integer', min: 0, max: 100,
		ui: { default: 80, description: 'Output compression quality from 0 to 100 (model dependent)' },
	},
	{
		name: 'negativePrompt', api: 'negative_prompt', label: 'Negative Prompt', kind: 'verbatim',
		ui: { default: '', description: 'What the video should not show' },
	},
	{
		name: 'generateAudio', api: 'generate_audio', label: 'Generate Audio', kind: 'boolean',
		ui: { default: true, description: 'Whether to generate an audio track (model dependent)' },
	},
	{
		name: 'enhancePrompt', api: 'enhance_prompt', label: 'Enhance Prompt', kind: 'boolean',
		ui: { default: false, description: 'Whether the provider may rewrite the prompt for better results' },
	},
	{
		name: 'personGeneration', api: 'person_generation', label: 'Person Generation', kind: 'text',
		ui: { default: '', placeholder: 'e.g. allow_adult', description: 'Provider policy for generating people (model dependent)' },
	},
	{
		name: 'resizeMode', api: 'resize_mode', label: 'Resize Mode', kind: 'text',
		ui: { default: '', placeholder: 'e.g. pad', description: 'How reference images are fitted to the frame (model dependent)' },
	},
] as const satisfies readonly CreateField[];

export type CreateFieldName = (typeof CREATE_FIELDS)[number]['name'];

/** The simple fields' values as read from the node (expressions may give any type). */
export type CreateFieldValues = Partial<Record<CreateFieldName, unknown>>;

const FIELDS: readonly CreateField[] = CREATE_FIELDS;

const KIND_TYPES: Record<CreateField['kind'], INodeProperties['type']> = {
	integer: 'number',
	text: 'string',
	verbatim: 'string',
	choice: 'options',
	boolean: 'boolean',
};

/** A row as a property of the Options collection. */
function optionProperty(field: CreateField): INodeProperties {
	const property = { displayName: field.ui.displayName ?? field.label, name: field.name, type: field.ui.type ?? KIND_TYPES[field.kind] } as INodeProperties;
	if (field.ui.options) property.options = field.ui.options;
	if (field.kind === 'choice') property.options = field.values.map((value) => ({ name: value, value }));
	if (field.kind === 'integer' && (field.min !== undefined || field.max !== undefined)) {
		property.typeOptions = { minValue: field.min, maxValue: field.max };
	}
	property.default = field.ui.default;
	if (field.ui.placeholder) property.placeholder = field.ui.placeholder;
	property.description = field.ui.description;
	return property;
}

export const createFieldProperties: INodeProperties[] = FIELDS.map(optionProperty);

/** Request field → the label messages use: the simple fields, plus the body's other fields as the node's UI names them. */
export const FIELD_LABELS: Record<string, string> = {
	...Object.fromEntries(FIELDS.map((field) => [field.api, field.label])),
	input_references: 'Input References',
	provider_params: 'Provider Params',
	output: 'Output Access',
	webhook: 'Webhook',
};

/** Reads the simple fields from the node's Options collection. */
export function readCreateFields(options: Record<string, unknown>): CreateFieldValues {
	return Object.fromEntries(FIELDS.map((field) => [field.name, options[field.name]]));
}
