"""Words the planner understands (typo targets) and common English words that are never 'corrected'."""

from __future__ import annotations

__all__ = ["COMMON_WORDS", "KEYWORDS"]


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


KEYWORDS: frozenset[str] = _words(
    """
    black white bw grayscale gray monochrome mono colorless noir desaturate desaturated desaturation
    saturate saturated saturation color colors colored colorful colorize vivid vibrant vibrance vibrancy
    muted mute dull duller pop punchy punchier rich richer intense intensity
    rotate rotated rotation rotating turn turned spin tilt clockwise counterclockwise degrees left right
    upside down flip flipped mirror mirrored reflect horizontally horizontal vertically vertical sideways
    crop cropped cropping square portrait landscape widescreen panorama aspect ratio trim
    resize resized resizing scale scaled shrink smaller bigger larger enlarge enlarged reduce reduced
    upscale upscaled upsample downscale double twice triple half quarter third wide width tall height high
    instagram story stories reel post youtube thumbnail facebook cover twitter header banner linkedin
    pinterest passport visa wallpaper
    bright brighter brighten brightness lighten lighter light darken darker dark dim dimmer exposure
    exposed underexposed overexposed gamma shadows highlights midtones
    contrast contrasty flat flatter
    blur blurred blurry blurrier soften softer smooth gaussian bokeh background foreground focus
    sharpen sharpened sharper sharpness crisp crisper detail details clarity clearer deblur unblur
    noise noisy denoise grain grainy film speckles
    warm warmer warmth cool cooler cold colder temperature tint magenta green yellow orange blue tone toned
    invert inverted inverse negative sepia antique vintage retro moody cinematic cinema faded fade matte
    dramatic poster posterize posterized levels pixelate pixelated pixelation mosaic pixel pixels blocky vignette
    sketch pencil drawing charcoal cartoon cartoonify comic painting paint painted oil watercolor halftone
    dots stylize style filter effect look
    border frame framed polaroid padding thin thick outline edge edges rounded round corners corner
    remove removal transparent cutout isolate replace change background gradient
    text words caption title label write saying says watermark opacity tiled logo qrcode link
    top bottom center middle upper lower small medium large huge tiny big giant shadow font
    jpeg png webp avif gif tiff format convert save export quality compress compressed metadata exif
    under less than below maximum size file
    enhance enhanced improve auto automatic fix correct balance adjust restore
    slightly slight bit little somewhat much very really significantly heavily strongly lot lots tons
    loads heaps tad touch
    quarters thirds halves subtle subtly gentle gently
    increase decrease lower raise boost reduce more less add make give apply turn into percent kb mb
    erase delete smile
    soft fuzzy unfocused murky gloomy washed hazy foggy muddy drab bland lifeless garish gaudy harsh
    oversaturated speckled smudged drain drawn underexpose overexpose underexposure overexposure graininess
    blurriness softness fuzziness darkness dullness harshness haziness
    shadowy speckly counter quadrant fifth fifths central region portion strip band section
    inch inches centimeters centimetres millimeters millimetres dpi ppi print prints paper letter
    box boxes circle circles disc ball balls rectangle rectangles triangle triangles star stars
    heart hearts arrow arrows object objects product subject recolor recolour colour red purple
    pink violet cyan grey sky
    """
)

COMMON_WORDS: frozenset[str] = _words(
    """
    the a an it its this that these those them they their there here then than and or but also plus
    with without into onto from over under about after before while when where what which who whom
    would could should will shall can may might must have has had been being were was are is be do does
    did done doing make makes made making get gets got give gives please thanks thank just only even
    some many much most more less very really quite rather pretty too enough again once twice still
    photo photos picture pictures image images pic pics shot snapshot selfie photograph version copy
    person people man woman girl boy child kid baby face faces head hair eyes mouth nose teeth skin hand
    hands body dog dogs cat cats bird birds sky sun moon cloud clouds tree trees flower flowers grass
    water sea ocean beach mountain mountains house building car cars road street city table chair hat
    glasses sunglasses ball cake food cup logo person's friend friends family mother father sister
    brother wife husband animal animals horse fish snow rain night day sunset sunrise dawn dusk summer
    winter spring autumn fall season background wall floor room window door sign shirt dress
    smile smiling laugh laughing happy sad angry look looks looking like want need wish feel seems seem
    whole entire everything something anything nothing everyone someone side sides part parts area
    new old young older younger nice good great better best bad worse cool awesome beautiful pretty
    first second last next final finally afterwards both each every other another same different way
    so if not no yes now way well back up out off on in at to of for by as per all any none
    while where which white whit right bright write wright night might sight fight tight light
    show shows showing see seen keep kept let lets put puts set sets use used using take takes taken
    say says said tell told ask asked know think thought mean means meant try tried call called
    because since until though although however instead rather either neither
    move moved moving place placed places position positioned insert inserted put adding added
    swap swapped switch switched transform transformed generate generated create created draw drew
    paint painted imagine appear appears seem realistic real fake funny cute scary
    left right above below beside between behind front near far around across along inside outside
    bluer redder greener yellower pinker whiter blacker bigger smaller wider narrower longer
    taller shorter thinner fatter skinnier slimmer older younger whiter whiten whitened darker_skin
    eye eyes teeth tooth lips lip nose ears ear skin wrinkles acne pimple pimples freckles makeup tattoo
    image's photo's picture's thing things stuff pretty lovely gorgeous ugly weird strange
    does doing going want wanted wants like likes liked love loved hate please thanks cheers sure okay
    this that what how why when who anyway maybe perhaps probably actually basically literally
    start started starting starts stare stared stay heat hear heard hearty bold bald call tall
    block blocks brown shape shapes
    """
)
