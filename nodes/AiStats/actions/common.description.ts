import type { INodeProperties } from 'n8n-workflow';

/** Output option shared by the operations that return a job. */
export const includeSignedLinksOption: INodeProperties = {
		displayName: 'Include Signed Links',
		name: 'includeSignedLinks',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep the gateway\'s signed download links (download_url, valid without a key until they expire) in the output. Off by default so they do not end up in execution logs; use Get Download Link to hand a link on.',
	};

/** "Options" of the operations that return jobs (Get, Get Many). */
export const jobOutputOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [includeSignedLinksOption],
};

/** The "Video" resource locator shared by every operation on one job. */
export const videoIdLocator: INodeProperties = {
	displayName: 'Video',
	name: 'videoId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The video job to use',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a recent video...',
			typeOptions: { searchListMethod: 'searchVideos', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. video_01JAB2CDEF',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^[^\\s/]+$', errorMessage: 'A video ID has no spaces or slashes' },
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://api.phaseo.app/v1/videos/video_01JAB2CDEF',
			extractValue: { type: 'regex', regex: '/videos/([^/?#\\s]+)' },
			validation: [
				{
					type: 'regex',
					properties: { regex: '^https?://.+/videos/[^/?#\\s]+', errorMessage: 'Not a video URL (…/videos/<id>)' },
				},
			],
		},
	],
};

/** "Multiple Outputs": how the files of a multi-sample job become items. */
export function multipleOutputsOption(description: string): INodeProperties {
	return {
		displayName: 'Multiple Outputs',
		name: 'layout',
		type: 'options',
		options: [
			{ name: 'One Item per Output', value: 'separateItems' },
			{ name: 'All Outputs in One Item', value: 'oneItem' },
		],
		default: 'separateItems',
		description,
	};
}
