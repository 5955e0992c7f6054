import { Injectable } from '@nestjs/common';
import sharp, { Sharp } from 'sharp';
import { AppError } from '../../common/errors/app-error';

/**
 * Pixels (width × height over all frames) beyond which an image is refused, whatever its byte
 * size: a small file that decodes to gigabytes (a decompression bomb). Checked from the header,
 * before any pixel is decoded.
 */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** The longest side of a thumbnail. */
export const THUMBNAIL_EDGE = 320;

export interface ProcessedImage {
  width: number;
  height: number;
  /** bytes of the re-encoded image */
  size: number;
  thumbnailSize: number;
}

const ANIMATED = new Set(['image/gif', 'image/webp']);

function encode(image: Sharp, mime: string): Sharp {
  switch (mime) {
    case 'image/jpeg':
      return image.jpeg({ quality: 90 });
    case 'image/png':
      return image.png();
    case 'image/gif':
      return image.gif();
    case 'image/webp':
      return image.webp({ quality: 90 });
    default:
      throw new Error(`not an image type: ${mime}`);
  }
}

function refusal(err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(reason)) {
    return new AppError(
      'FILE_TOO_LARGE',
      { file: [`the image has more than ${MAX_IMAGE_PIXELS} pixels`] },
      { cause: err },
    );
  }
  return new AppError(
    'UNSUPPORTED_FILE_TYPE',
    { file: [`the image cannot be read: ${reason}`] },
    { cause: err },
  );
}

/** Images with libvips (sharp): re-encoded without metadata, measured, and thumbnailed. */
@Injectable()
export class ImageProcessor {
  /**
   * Re-encodes `input` in its own format into `output`: EXIF (GPS included), XMP, IPTC and
   * comments are dropped, after the EXIF orientation has been applied to the pixels. Animated
   * GIF and WebP keep their frames. Writes a WebP thumbnail of the first frame (at most 320 px
   * on its longer side) into `thumbnail`. A truncated or corrupt image is refused (415), and
   * so is one with too many pixels (413).
   */
  async process(
    input: string,
    mime: string,
    output: string,
    thumbnail: string,
  ): Promise<ProcessedImage> {
    try {
      const animated = ANIMATED.has(mime);
      const source = sharp(input, {
        limitInputPixels: MAX_IMAGE_PIXELS,
        failOn: 'warning',
        animated,
        autoOrient: !animated,
      });
      const written = await encode(source, mime).toFile(output);
      const thumb = await sharp(output, { limitInputPixels: MAX_IMAGE_PIXELS })
        .resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toFile(thumbnail);
      return {
        width: written.width,
        height: written.pageHeight ?? written.height,
        size: written.size,
        thumbnailSize: thumb.size,
      };
    } catch (err) {
      throw refusal(err);
    }
  }
}
