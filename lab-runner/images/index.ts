// The offline images: what the lab runner, the CLI and tests import.
export { ensureImages, type EnsureImagesOptions, type ImageReport, type ImageSet } from './build.ts';
export { recipeHashes } from './hash.ts';
export { HASH_LABEL, NAME_LABEL, RECIPES, LESSON_IMAGES, type ImageName, type LessonImageName } from './recipes.ts';
