export { normalizeModelCard, modelCardSchemaErrors } from './model-card.js';
export type { ModelCardContent } from './model-card.js';
export { normalizeModelPackage, MODEL_APPROVAL_STATUSES } from './model-package.js';
export type { ModelPackageContent } from './model-package.js';
export { normalizeEndpoint } from './endpoint.js';
export type { EndpointContent, ModelPackageByModel } from './endpoint.js';
export { normalizeLineage, reachesDataset, vertexTypeOf, SAGEMAKER_LINEAGE_TYPES } from './lineage.js';
export type { LineageContent, LineageVertexDetails, LineageVertexType } from './lineage.js';
