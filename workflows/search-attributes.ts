import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { STATUS_SEARCH_ATTRIBUTE } from '../pipeline/names';

export const pipelineStatusKey = defineSearchAttributeKey(STATUS_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);
